import type { TopLevelSpec } from 'vega-lite';

/** Long rows: one per (model, length, series) in one of the two panels. */
export interface Fig10PlotRow {
  readonly panel: 'downtime' | 'decode';
  readonly model: string;
  readonly length: number;
  readonly series: string;
  readonly ms: number;
}

const SERIES_COLORS: Readonly<Record<string, string>> = { Migration: '#d62728', 'Blocking copy': '#1f77b4', Recompute: '#7f7f7f', Normal: '#2ca02c' };

function panel(rows: readonly Fig10PlotRow[], which: Fig10PlotRow['panel'], title: string, yLog: boolean): Record<string, unknown> {
  const series = [...new Set(rows.filter((r) => r.panel === which).map((r) => r.series))];
  return {
    title: { text: title, fontSize: 12 },
    width: 300,
    height: 220,
    transform: [{ filter: { field: 'panel', equal: which } }],
    mark: { type: 'line', point: { filled: true, size: 30 } },
    encoding: {
      x: { field: 'length', type: 'quantitative', title: 'Sequence length (tokens)', scale: { type: 'log', base: 2 }, axis: { values: [256, 512, 1024, 2048, 4096, 8192] } },
      y: { field: 'ms', type: 'quantitative', title: 'ms', scale: yLog ? { type: 'log' } : { zero: false } },
      color: { field: 'series', type: 'nominal', title: null, scale: { domain: series, range: series.map((s) => SERIES_COLORS[s] ?? '#000') } },
      strokeDash: { field: 'model', type: 'nominal', title: null },
      shape: { field: 'model', type: 'nominal', title: null },
    },
  };
}

/** Fig. 10's two panels: downtime by method (log scales) and source decode step with vs without migration. */
export function fig10Spec(title: string, rows: readonly Fig10PlotRow[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, anchor: 'start', fontSize: 14 },
    data: { values: rows as unknown as Record<string, unknown>[] },
    hconcat: [panel(rows, 'downtime', 'Downtime of one request', true), panel(rows, 'decode', 'Decode step on the source', false)],
    resolve: { scale: { color: 'independent', strokeDash: 'shared', shape: 'shared' } },
  } as unknown as TopLevelSpec;
}
