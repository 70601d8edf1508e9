import type { LatencySummary } from '../../../metrics/index.ts';
import { writeFigure } from '../../../plots/index.ts';
import { paperMarks } from '../claim-format.ts';
import { pairUp } from '../claims.ts';
import type { FigureContext, FigureResult, FigureRun } from '../figure.ts';
import { gridSpec, type GridRow } from '../grid-spec.ts';
import { EXECUTION_PANEL, LATENCY_PANELS } from '../panels.ts';
import { label, num, runPoints } from '../run-points.ts';
import { writeClaim } from '../write-claim.ts';
import { fig13Claims } from './claims.ts';
import { FIG13_REQUESTS, fig13Points } from './points.ts';

const TITLE = 'Figure 13: Llumnix vs Llumnix-base with 10 % high-priority requests (S-S, Gamma 26 req/s)';
const CLASSES = [
  ['Normal', 'normal'],
  ['High Priority', 'high'],
] as const;

export const fig13: FigureRun = {
  id: 'fig13',
  title: TITLE,
  async run(ctx: FigureContext): Promise<FigureResult> {
    const measured = await runPoints(ctx, 'llumnix-fig13', fig13Points(ctx.mode));
    const byClass = (cls: 'normal' | 'high') =>
      measured.map((m) => {
        const split = m.summary.by_priority;
        if (split === undefined) throw new Error(`fig13: point cv=${label(m, 'cv')} ${label(m, 'system')} has no high-priority requests (summary.by_priority missing)`);
        return { key: label(m, 'cv'), cv: num(m, 'cv'), system: label(m, 'system'), summary: split[cls] as LatencySummary };
      });
    const panels = [...LATENCY_PANELS, EXECUTION_PANEL];
    const rows: GridRow[] = CLASSES.flatMap(([row, cls]) =>
      byClass(cls).flatMap((p) => panels.map((panel) => ({ row, panel: panel.label, x: p.cv, system: p.system, value: panel.get(p.summary) }))),
    );
    const claims = fig13Claims(pairUp(byClass('high'), 'Llumnix-base', 'Llumnix'), pairUp(byClass('normal'), 'Llumnix-base', 'Llumnix'));
    const spec = gridSpec({
      title: TITLE,
      subtitle: paperMarks('fig13', claims, ['high.prefill_p99.max', 'high.request_mean.max', 'high.decode_p99.max']),
      rows,
      rowOrder: CLASSES.map(([row]) => row),
      panelOrder: panels.map((p) => p.label),
      systems: ['Llumnix-base', 'Llumnix'],
      xTitle: 'CV of arrivals',
    });
    const figure = await writeFigure({ name: 'figure13', title: TITLE, spec, rows: rows as unknown as Record<string, unknown>[] }, ctx.dir);
    return writeClaim(ctx.dir, 'figure13.claim', {
      id: 'fig13',
      title: TITLE,
      figures: [figure],
      claims,
      notes: [
        `${ctx.mode} mode: ${FIG13_REQUESTS[ctx.mode]} requests per point (the paper: 10,000).`,
        'Llumnix puts high-priority requests first in the local queue (the paper\'s intent; the artifact\'s insertion was effectively FIFO, reference §12 #8); Llumnix-base does not.',
      ],
    });
  },
};
