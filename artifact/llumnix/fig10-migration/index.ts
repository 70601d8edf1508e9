import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { writeFigure } from '../../../plots/index.ts';
import type { FigureContext, FigureResult, FigureRun } from '../figure.ts';
import { writeClaim } from '../write-claim.ts';
import { fig10Claims } from './claims.ts';
import { measureFig10 } from './measure.ts';
import { FIG10_LENGTHS, LLAMA_30B, LLAMA_7B } from './models.ts';
import { FIG10_PAPER_POINTS } from './paper-points.ts';
import { fig10Spec, type Fig10PlotRow } from './plot.ts';
import { paperMarks } from '../claim-format.ts';

const TITLE = 'Figure 10: Migration efficiency — downtime and decode step, LLaMA-7B and LLaMA-30B';

export const fig10: FigureRun = {
  id: 'fig10',
  title: TITLE,
  async run(ctx: FigureContext): Promise<FigureResult> {
    // Micro-scenarios of a few hundred events: every mode runs them all (mini: two lengths).
    const lengths = ctx.mode === 'mini' ? [256, 8192] : FIG10_LENGTHS;
    const measured = [...measureFig10(LLAMA_7B, lengths), ...measureFig10(LLAMA_30B, lengths)];
    writeFileSync(join(ctx.dir, 'fig10-measurements.csv'), stringify(measured as unknown as Record<string, unknown>[], { header: true }));
    const rows: Fig10PlotRow[] = measured.flatMap((m) => {
      const out: Fig10PlotRow[] = [];
      const add = (panel: Fig10PlotRow['panel'], series: string, ms: number | undefined) => {
        if (ms !== undefined) out.push({ panel, model: m.model, length: m.length, series, ms });
      };
      add('downtime', 'Migration', m.migration_ms);
      add('downtime', 'Blocking copy', m.blocking_copy_ms);
      add('downtime', 'Recompute', m.recompute_ms);
      add('decode', 'Migration', m.decode_migrating_ms);
      add('decode', 'Normal', m.decode_normal_ms);
      return out;
    });
    const claims = fig10Claims(measured);
    const plotted = [...rows.map((r) => ({ ...r, source: 'fleetlab' as const })), ...FIG10_PAPER_POINTS];
    const marks = paperMarks('fig10', claims, ['migration_downtime.30b.max', 'recompute.30b.8k', 'baseline_over_migration.30b.up_to']);
    const figure = await writeFigure({ name: 'figure10', title: TITLE, spec: fig10Spec(TITLE, plotted, ['LLaMA-30B is predicted from the 7B fit (evidence); LLaMA-7B is the calibration set.', ...marks]), rows: plotted as unknown as Record<string, unknown>[] }, ctx.dir);
    return writeClaim(ctx.dir, 'figure10.claim', {
      id: 'fig10',
      title: TITLE,
      figures: [figure],
      claims,
      notes: [
        'Blocking copy = stop-and-copy (max_stages 1): the request is suspended for the whole copy; recompute = one prefill of L tokens.',
        'The source runs 2 % slower while it sends (migration.source_slowdown, from the measured 1–3 %), which sets the decode overhead.',
        "LLaMA-30B (TP = 4) is derived from the 7B fit and public model facts (artifact/llumnix/fig10-migration/models.ts), not fitted to the paper's 30B rows: its claims are evidence, the 7B ones calibration.",
      ],
    });
  },
};
