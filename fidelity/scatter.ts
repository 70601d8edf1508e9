// Per-request simulated vs real latency, one point per request and policy, with the y = x line:
// points above it are requests the simulator made slower than they were.
import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG, writeFigure, type WrittenFigure } from '../plots/index.ts';

export interface ScatterPoint {
  readonly policy: string;
  readonly request: number;
  readonly metric: 'TTFT' | 'E2E';
  readonly real_ms: number;
  readonly sim_ms: number;
}

export function scatterFigure(points: readonly ScatterPoint[], dir: string): Promise<WrittenFigure> {
  const max = Math.max(1, ...points.map((p) => Math.max(p.real_ms, p.sim_ms)));
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    config: BASE_CONFIG,
    title: 'Per-request latency: simulated vs real',
    data: { values: points.map((p) => ({ ...p })) },
    facet: { column: { field: 'metric', type: 'nominal', title: null } },
    resolve: { scale: { x: 'independent', y: 'independent' } },
    spec: {
      width: 260,
      height: 260,
      layer: [
        {
          mark: { type: 'rule', color: '#999', strokeDash: [4, 4] },
          encoding: { x: { datum: 0, type: 'quantitative' }, y: { datum: 0, type: 'quantitative' }, x2: { datum: max }, y2: { datum: max } },
        },
        {
          mark: { type: 'point', filled: true, opacity: 0.6, size: 24 },
          encoding: {
            x: { field: 'real_ms', type: 'quantitative', title: 'real (ms)' },
            y: { field: 'sim_ms', type: 'quantitative', title: 'simulated (ms)' },
            color: { field: 'policy', type: 'nominal', title: 'policy' },
          },
        },
      ],
    },
  } as unknown as TopLevelSpec;
  return writeFigure({ name: 'scatter', title: 'Per-request latency: simulated vs real', spec, rows: points as unknown as Record<string, unknown>[] }, dir);
}
