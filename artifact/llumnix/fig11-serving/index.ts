import { writeFigure } from '../../../plots/index.ts';
import { FIG11_TRACES } from '../../llumnix-fig11/setup.ts';
import type { FigureContext, FigureResult, FigureRun } from '../figure.ts';
import { gridSpec, type GridRow } from '../grid-spec.ts';
import { LATENCY_PANELS, PREEMPTION_PANEL } from '../panels.ts';
import { label, num, runPoints } from '../run-points.ts';
import { writeClaim } from '../write-claim.ts';
import { paperMarks } from '../claim-format.ts';
import { beyondPaper } from '../claims.ts';
import { type Fig11Point, fig11Claims } from './claims.ts';
import { fig11Points, isPlottedRate } from './points.ts';

const TITLE = 'Figure 11: Serving performance of Llumnix, INFaaS++ and Round-Robin (16 LLaMA-7B instances)';

export const fig11: FigureRun = {
  id: 'fig11',
  title: TITLE,
  async run(ctx: FigureContext): Promise<FigureResult> {
    const measured = await runPoints(ctx, 'llumnix-fig11', fig11Points(ctx.mode));
    const points: Fig11Point[] = measured.map((m) => ({ trace: label(m, 'trace'), rate: num(m, 'rate'), system: label(m, 'system'), summary: m.summary }));
    const panels = [...LATENCY_PANELS, PREEMPTION_PANEL];
    const rows: GridRow[] = points.flatMap((p) =>
      panels.map((panel) => ({ row: p.trace, panel: panel.label, x: p.rate, system: p.system, value: panel.get(p.summary) })),
    );
    const requests = points[0]?.summary.submitted ?? 0;
    // Claims use exactly the rates the paper plots; any other rate is reported apart.
    const plotted = points.filter((p) => isPlottedRate(p.trace, p.rate));
    const extra = points.length > plotted.length ? beyondPaper(fig11Claims(points), 'all_artifact_rates', "all 7 of the artifact's rates, 2 of which the paper does not plot") : [];
    const claims = [...fig11Claims(plotted), ...extra];
    const traces = FIG11_TRACES.map((t) => t.label).filter((t) => points.some((p) => p.trace === t));
    const spec = gridSpec({
      title: TITLE,
      subtitle: paperMarks('fig11', claims, ['generated.infaas.prefill_p99.up_to', 'real.infaas.prefill_p99.up_to', 'real.rr.prefill_p99.up_to']),
      rows,
      rowOrder: traces,
      panelOrder: panels.map((p) => p.label),
      systems: ['Round-Robin', 'INFaaS++', 'Llumnix'],
      xTitle: 'Request rate (req/s)',
    });
    const figure = await writeFigure({ name: 'figure11', title: TITLE, spec, rows: rows as unknown as Record<string, unknown>[] }, ctx.dir);
    return writeClaim(ctx.dir, 'figure11.claim', {
      id: 'fig11',
      title: TITLE,
      figures: [figure],
      claims,
      notes: [
        `${ctx.mode} mode: ${requests} requests per point (the paper: 10,000), rates ${ctx.mode === 'full' ? "all 7 of the artifact's; claims beside the paper's numbers use only the 5 the paper plots" : 'the 5 the paper plots'}.`,
        'ShareGPT and BurstGPT rows use lengths matched to the quantiles of Llumnix Table 1 (no conversation text ships), Poisson arrivals.',
        'Ratios are baseline / Llumnix per point; "max over points" spans rates and traces of the group.',
      ],
    });
  },
};
