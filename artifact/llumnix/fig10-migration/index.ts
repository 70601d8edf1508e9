import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { writeFigure } from '../../../plots/index.ts';
import type { FigureContext, FigureResult, FigureRun } from '../figure.ts';
import { writeClaim } from '../write-claim.ts';
import { fig10Claims } from './claims.ts';
import { measureFig10 } from './measure.ts';
import { FIG10_LENGTHS, LLAMA_30B, LLAMA_7B } from './models.ts';
import { fig10Spec, type Fig10PlotRow } from './plot.ts';

const TITLE = 'Figure 10: migration efficiency (2 instances, one request migrated)';

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
    const figure = await writeFigure({ name: 'figure10', title: TITLE, spec: fig10Spec(TITLE, rows), rows: rows as unknown as Record<string, unknown>[] }, ctx.dir);
    return writeClaim(ctx.dir, 'figure10.claim', {
      id: 'fig10',
      title: TITLE,
      figures: [figure],
      claims: fig10Claims(measured),
      notes: [
        'Blocking copy = stop-and-copy (max_stages 1): the request is suspended for the whole copy; recompute = one prefill of L tokens.',
        'The source runs 2 % slower while it sends (migration.source_slowdown, from the measured 1–3 %), which sets the decode overhead.',
        'LLaMA-30B (TP = 4) uses our fit to the reference §4.3 rows (artifact/llumnix/fig10-migration/models.ts); it is not a measured profile.',
      ],
    });
  },
};
