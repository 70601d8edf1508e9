/** Vega-lite specs of the ServerlessLLM figures (data inline), with the paper's names. */
import type { TopLevelSpec } from 'vega-lite';
import { LOADER_LABELS, TIER_LABELS } from './loading.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const LOADER_COLORS = { ServerlessLLM: '#d62728', Safetensors: '#1f77b4', PyTorch: '#7f7f7f' } as const;

/** Grouped bars per model, one panel per storage tier, log y (DRAM loads are ~100× shorter than remote ones). */
export function loadingSpec(rows: readonly Record<string, unknown>[], title: string): TopLevelSpec {
  const loaders = Object.values(LOADER_LABELS);
  const tiers = Object.values(TIER_LABELS);
  const labelled = rows.map((r) => ({ ...r, Loader: LOADER_LABELS[r.loader as keyof typeof LOADER_LABELS], Tier: TIER_LABELS[r.tier as keyof typeof TIER_LABELS] }));
  return {
    $schema: SCHEMA,
    title: { text: title, anchor: 'start', fontSize: 14 },
    data: { values: labelled },
    facet: { column: { field: 'Tier', type: 'nominal', title: null, sort: tiers, header: { labelFontSize: 12, labelFontWeight: 'bold' } } },
    resolve: { scale: { y: 'shared' } },
    spec: {
      width: 240,
      height: 220,
      // Log bars start at the axis floor (0.1 s), not at zero.
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'model', type: 'nominal', title: null, sort: null, axis: { labelAngle: -35 } },
        xOffset: { field: 'Loader', type: 'nominal', sort: loaders },
        y: { field: 'load_s', type: 'quantitative', title: 'Load time (s, log scale)', scale: { type: 'log', domain: [0.1, 500] }, axis: { format: '~g' } },
        // A log axis has no zero: bars grow from the axis floor.
        y2: { datum: 0.1 },
        color: { field: 'Loader', type: 'nominal', title: null, sort: loaders, scale: { domain: loaders, range: loaders.map((l) => LOADER_COLORS[l as keyof typeof LOADER_COLORS]) }, legend: { orient: 'top' } },
      },
    },
  } as TopLevelSpec;
}

/**
 * Mean and P99 TTFT vs rate, one line per `series` value (the paper's system names), panels by
 * statistic and dataset; log axes (latencies span decades). Dashes and point shapes tell lines
 * apart where they overlap.
 */
export function latencySpec(rows: readonly Record<string, unknown>[], title: string, series: readonly string[]): TopLevelSpec {
  // ServerlessLLM is red in every figure, as Llumnix is in the Llumnix ones.
  const named: Readonly<Record<string, string>> = {
    ServerlessLLM: '#d62728',
    'ServerlessLLM (live migration)': '#d62728',
    'Shepherd*': '#1f77b4',
    'Serverless (availability)': '#7f7f7f',
    'Locality, wait (ours)': '#2ca02c',
    'Ray Serve + Cache': '#ff7f0e',
    'Ray Serve': '#1f77b4',
    KServe: '#8c564b',
  };
  const palette = series.map((name) => named[name] ?? '#9467bd');
  const dashes = [[1, 0], [6, 3], [2, 2], [8, 2, 2, 2], [4, 4]];
  return {
    $schema: SCHEMA,
    title: { text: title, anchor: 'start', fontSize: 14 },
    data: { values: rows as Record<string, unknown>[] },
    transform: [
      { fold: ['ttft_mean_s', 'ttft_p99_s'], as: ['field', 'seconds'] },
      { calculate: "datum.field === 'ttft_mean_s' ? 'Mean TTFT' : 'P99 TTFT'", as: 'metric' },
    ],
    facet: {
      column: { field: 'metric', type: 'nominal', title: null, header: { labelFontSize: 12, labelFontWeight: 'bold' } },
      row: { field: 'dataset', type: 'nominal', title: null, header: { labelFontSize: 12, labelFontWeight: 'bold' } },
    },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 280,
      height: 200,
      mark: { type: 'line', point: { filled: true, size: 40 }, strokeWidth: 2 },
      encoding: {
        x: { field: 'rate_per_s', type: 'quantitative', title: 'Request rate (req/s, log scale)', scale: { type: 'log' }, axis: { values: [0.05, 0.1, 0.2, 0.4, 0.8, 1.6], format: '~g' } },
        y: { field: 'seconds', type: 'quantitative', title: 'TTFT (s, log scale)', scale: { type: 'log' }, axis: { format: '~g' } },
        color: { field: 'series', type: 'nominal', title: null, sort: [...series], scale: { domain: [...series], range: palette }, legend: { orient: 'top', labelLimit: 300 } },
        strokeDash: { field: 'series', type: 'nominal', sort: [...series], scale: { domain: [...series], range: dashes.slice(0, series.length) }, },
        shape: { field: 'series', type: 'nominal', sort: [...series], },
      },
    },
  } as TopLevelSpec;
}
