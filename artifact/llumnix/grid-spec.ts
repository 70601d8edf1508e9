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

/**
 * The paper's layout: a row per trace (or class), a column per metric, x = the swept
 * variable, one line per system. Every panel has its own x and y scale, as in the paper.
 */
export function gridSpec(o: GridOptions): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: o.title, anchor: 'start', fontSize: 14 },
    data: { values: o.rows as unknown as Record<string, unknown>[] },
    facet: {
      row: { field: 'row', type: 'nominal', sort: [...o.rowOrder], header: { title: null, labelAngle: -90, labelFontSize: 12, labelFontWeight: 'bold' } },
      column: { field: 'panel', type: 'nominal', sort: [...o.panelOrder], header: { title: null, labelFontSize: 11 } },
    },
    spec: {
      width: o.panelWidth ?? 130,
      height: o.panelHeight ?? 95,
      encoding: {
        x: { field: 'x', type: 'quantitative', title: o.xTitle, scale: { zero: false, nice: false }, axis: { tickCount: 4, labelFontSize: 9 } },
        y: { field: 'value', type: 'quantitative', title: null, axis: { tickCount: 4, labelFontSize: 9, format: '.3~r' } },
        color: {
          field: 'system',
          type: 'nominal',
          title: null,
          scale: { domain: [...o.systems], range: o.systems.map((s) => SYSTEM_COLORS[s] ?? '#9467bd') },
          legend: { orient: 'top', direction: 'horizontal' },
        },
      },
      layer: [{ mark: { type: 'line', strokeWidth: 1.5 } }, { mark: { type: 'point', filled: true, size: 18 } }],
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
    config: { view: { stroke: '#ddd' } },
  };
}
