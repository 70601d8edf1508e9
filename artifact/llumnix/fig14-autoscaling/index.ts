import { writeFigure } from '../../../plots/index.ts';
import { pairUp } from '../claims.ts';
import type { FigureContext, FigureResult, FigureRun } from '../figure.ts';
import { type GridRow, stackedGridSpec } from '../grid-spec.ts';
import { paperMarks } from '../claim-format.ts';
import { COST_PANEL, LATENCY_PANELS, type Panel } from '../panels.ts';
import type { RunSummary } from '../../../metrics/index.ts';
import { label, num, runPoints } from '../run-points.ts';
import { writeClaim } from '../write-claim.ts';
import { fig14Claims } from './claims.ts';
import { FIG14_REQUESTS, fig14Points } from './points.ts';

const TITLE = 'Figure 14: Auto-scaling, Llumnix vs INFaaS++ (L-L, 8 initial instances, 1–16)';
const ROWS = { Poisson: 'Poisson arrivals', Gamma: 'Gamma arrivals, 2 req/s' } as const;

export const fig14: FigureRun = {
  id: 'fig14',
  title: TITLE,
  async run(ctx: FigureContext): Promise<FigureResult> {
    const measured = await runPoints(ctx, 'llumnix-fig14', fig14Points(ctx.mode));
    const points = measured.map((m) => ({ row: label(m, 'row'), x: num(m, 'x'), key: label(m, 'x'), system: label(m, 'system'), summary: m.summary }));
    const panels: Panel<RunSummary>[] = [...LATENCY_PANELS, COST_PANEL];
    const rows: GridRow[] = points.flatMap((p) =>
      panels.map((panel) => ({ row: ROWS[p.row as keyof typeof ROWS], panel: panel.label, x: p.x, system: p.system, value: panel.get(p.summary) })),
    );
    const pairsOf = (row: string) => pairUp(points.filter((p) => p.row === row), 'INFaaS++', 'Llumnix');
    const claims = fig14Claims([
      { row: 'poisson', label: 'Poisson', pairs: pairsOf('Poisson') },
      { row: 'gamma', label: 'Gamma (2 req/s)', pairs: pairsOf('Gamma') },
    ]);
    const spec = stackedGridSpec(
      {
        title: TITLE,
        subtitle: paperMarks('fig14', claims, ['poisson.prefill_p99.up_to', 'poisson.cost_saving', 'gamma.prefill_p99.up_to', 'gamma.cost_saving']),
        rows,
        rowOrder: Object.values(ROWS),
        panelOrder: panels.map((p) => p.label),
        systems: ['INFaaS++', 'Llumnix'],
      },
      [
        { row: ROWS.Poisson, xTitle: 'Request rate (req/s)' },
        { row: ROWS.Gamma, xTitle: 'CV of arrivals (2 req/s)' },
      ],
    );
    const figure = await writeFigure({ name: 'figure14', title: TITLE, spec, rows: rows as unknown as Record<string, unknown>[] }, ctx.dir);
    return writeClaim(ctx.dir, 'figure14.claim', {
      id: 'fig14',
      title: TITLE,
      figures: [figure],
      claims,
      notes: [
        `${ctx.mode} mode: ${FIG14_REQUESTS[ctx.mode]} requests per point (the paper: 10,000).`,
        'Resource cost is the time-weighted average instance count; the artifact averaged per record (reference §12 #11), reported beside it when available.',
        'INFaaS++ scales on the same avg_load metric and drains a scale-in victim by waiting; Llumnix drains it by migration.',
      ],
    });
  },
};
