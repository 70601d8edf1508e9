import type { TopLevelSpec } from 'vega-lite';

/** Long rows: one per (model, length, series) in one of the two panels, ours or the paper's. */
export interface Fig10PlotRow {
  readonly panel: 'downtime' | 'decode';
  readonly model: string;
  readonly length: number;
  readonly series: string;
  readonly ms: number;
  /** `fleetlab` (ours, lines) or `paper` (hollow marks); absent = ours. */
  readonly source?: 'fleetlab' | 'paper';
}

const SERIES_COLORS: Readonly<Record<string, string>> = { Migration: '#d62728', 'Blocking copy': '#1f77b4', Recompute: '#7f7f7f', Normal: '#2ca02c' };

function panel(rows: readonly Fig10PlotRow[], which: Fig10PlotRow['panel'], title: string, yLog: boolean): Record<string, unknown> {
  const series = [...new Set(rows.filter((r) => r.panel === which).map((r) => r.series))];
  const color = { field: 'series', type: 'nominal', title: null, scale: { domain: series, range: series.map((s) => SERIES_COLORS[s] ?? '#000') } };
  const x = { field: 'length', type: 'quantitative', title: 'Sequence length (tokens, log scale)', scale: { type: 'log', base: 2, domain: [230, 9000], nice: false }, axis: { values: [256, 512, 1024, 2048, 4096, 8192], labelExpr: "datum.value >= 1024 ? (datum.value / 1024) + 'k' : datum.value" } };
  const y = { field: 'ms', type: 'quantitative', title: yLog ? 'Time (ms, log scale)' : 'Decode step (ms)', scale: yLog ? { type: 'log' } : { zero: false }, axis: { format: '~g' } };
  return {
    title: { text: title, fontSize: 12 },
    width: 320,
    height: 230,
    transform: [{ filter: { field: 'panel', equal: which } }],
    layer: [
      {
        transform: [{ filter: "datum.source !== 'paper'" }],
        mark: { type: 'line', point: { filled: true, size: 30 } },
        encoding: { x, y, color, strokeDash: { field: 'model', type: 'nominal', title: 'fleetlab (lines)', scale: { domain: ['LLaMA-7B', 'LLaMA-30B'], range: [[1, 0], [5, 3]] } } },
      },
      {
        // A separate field, so the paper's marks get their own legend beside the lines' one.
        transform: [{ filter: "datum.source === 'paper'" }, { calculate: 'datum.model', as: 'paper_model' }],
        mark: { type: 'point', filled: false, size: 55, strokeWidth: 1.3 },
        encoding: { x, y, color, shape: { field: 'paper_model', type: 'nominal', title: 'Paper (marks)', scale: { domain: ['LLaMA-7B', 'LLaMA-30B'], range: ['circle', 'square'] } } },
      },
    ],
  };
}

/** Fig. 10's two panels: downtime by method (log scales) and source decode step with vs without migration; the paper's values as hollow marks. */
export function fig10Spec(title: string, rows: readonly Fig10PlotRow[], subtitle: readonly string[] = []): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, anchor: 'start', fontSize: 14, ...(subtitle.length === 0 ? {} : { subtitle: [...subtitle], subtitleFontSize: 11, subtitleColor: '#444' }) },
    data: { values: rows as unknown as Record<string, unknown>[] },
    hconcat: [panel(rows, 'downtime', 'Downtime of the migrated request', true), panel(rows, 'decode', 'Decode step on the source instance', false)],
    resolve: { scale: { color: 'independent', strokeDash: 'shared', shape: 'shared' } },
  } as unknown as TopLevelSpec;
}
