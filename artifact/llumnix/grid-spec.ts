import type { TopLevelSpec } from 'vega-lite';

/** One plotted value of a grid figure (long format, one row per point per panel). */
export interface GridRow {
  readonly row: string;
  readonly panel: string;
  readonly x: number;
  readonly system: string;
  readonly value: number;
}

export interface GridOptions {
  readonly title: string;
  /** Lines under the title: what the paper claims and what we measured (the paper's values, marked). */
  readonly subtitle?: readonly string[];
  readonly rows: readonly GridRow[];
  readonly rowOrder: readonly string[];
  readonly panelOrder: readonly string[];
  /** Legend order, with each system's colour (the same colour per system in every figure). */
  readonly systems: readonly string[];
  readonly xTitle: string;
  readonly panelWidth?: number;
  readonly panelHeight?: number;
}

export const SYSTEM_COLORS: Readonly<Record<string, string>> = {
  'Round-Robin': '#7f7f7f',
  'INFaaS++': '#1f77b4',
  Llumnix: '#d62728',
  'Llumnix-base': '#2ca02c',
};

/** Dash per system, so a line drawn over another stays visible. */
export const SYSTEM_DASHES: Readonly<Record<string, readonly number[]>> = {
  'Round-Robin': [2, 2],
  'INFaaS++': [6, 3],
  Llumnix: [1, 0],
  'Llumnix-base': [6, 3],
};

/**
 * Latencies span decades (Round-Robin's prefill P99 is ~100× Llumnix's) and preemption loss is
 * often 0: a symmetric log scale shows both (linear below `SYMLOG_CONSTANT`, log above).
 */
const SYMLOG_CONSTANT = 0.01;

/** One row of the paper's layout as a facet spec: a column per metric, one line per system. */
function rowSpec(o: GridOptions, rows: readonly GridRow[], xTitle: string, rowLabel: string | undefined): Record<string, unknown> {
  return {
    data: { values: rows as unknown as Record<string, unknown>[] },
    facet: {
      ...(rowLabel === undefined
        ? { row: { field: 'row', type: 'nominal', sort: [...o.rowOrder], header: { title: null, labelAngle: -90, labelFontSize: 12, labelFontWeight: 'bold' } } }
        : {}),
      column: { field: 'panel', type: 'nominal', sort: [...o.panelOrder], header: { title: rowLabel ?? null, titleFontSize: 12, titleFontWeight: 'bold', labelFontSize: 11 } },
    },
    spec: {
      width: o.panelWidth ?? 100,
      height: o.panelHeight ?? 90,
      encoding: {
        x: { field: 'x', type: 'quantitative', title: xTitle, scale: { zero: false, nice: false }, axis: { tickCount: 4, labelFontSize: 9, labelOverlap: 'greedy' } },
        y: { field: 'value', type: 'quantitative', title: null, scale: { type: 'symlog', constant: SYMLOG_CONSTANT, zero: false, nice: false }, axis: { tickCount: 4, labelFontSize: 9, format: '.2~r' } },
        color: {
          field: 'system',
          type: 'nominal',
          title: null,
          scale: { domain: [...o.systems], range: o.systems.map((s) => SYSTEM_COLORS[s] ?? '#9467bd') },
          legend: { orient: 'top', direction: 'horizontal', symbolStrokeWidth: 2.5 },
        },
        strokeDash: { field: 'system', type: 'nominal', scale: { domain: [...o.systems], range: o.systems.map((s) => [...(SYSTEM_DASHES[s] ?? [1, 0])]) } },
      },
      layer: [{ mark: { type: 'line', strokeWidth: 1.6 } }, { mark: { type: 'point', filled: true, size: 16 }, encoding: { shape: { field: 'system', type: 'nominal', scale: { domain: [...o.systems] } } } }],
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  };
}

/**
 * The paper's layout: a row per trace (or class), a column per metric, x = the swept variable,
 * one line per system; every panel has its own x and y scale, as in the paper.
 */
export function gridSpec(o: GridOptions): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: o.title, anchor: 'start', fontSize: 14, ...(o.subtitle === undefined ? {} : { subtitle: [...o.subtitle], subtitleFontSize: 11, subtitleColor: '#444' }) },
    ...rowSpec(o, o.rows, o.xTitle, undefined),
    config: { view: { stroke: '#ddd' } },
  } as TopLevelSpec;
}

/** Rows with their own x variable (Fig. 14: rate, then CV): one facet block per row, each with its own x title. */
export function stackedGridSpec(o: Omit<GridOptions, 'xTitle'>, blocks: readonly { row: string; xTitle: string }[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: o.title, anchor: 'start', fontSize: 14, ...(o.subtitle === undefined ? {} : { subtitle: [...o.subtitle], subtitleFontSize: 11, subtitleColor: '#444' }) },
    vconcat: blocks.map((b) => rowSpec({ ...o, xTitle: b.xTitle }, o.rows.filter((r) => r.row === b.row), b.xTitle, b.row)),
    resolve: { scale: { color: 'shared', strokeDash: 'shared', shape: 'shared' } },
    config: { view: { stroke: '#ddd' } },
  } as unknown as TopLevelSpec;
}
