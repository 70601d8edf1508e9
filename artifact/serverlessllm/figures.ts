/** Vega-lite specs of the ServerlessLLM figures (data inline). */
import type { TopLevelSpec } from 'vega-lite';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

export function loadingSpec(rows: readonly Record<string, unknown>[]): TopLevelSpec {
  return {
    $schema: SCHEMA,
    data: { values: rows as Record<string, unknown>[] },
    facet: { column: { field: 'tier', type: 'nominal', title: 'checkpoint tier', sort: ['dram', 'ssd', 'remote'] } },
    // Bars need a zero baseline, so linear scales, one per tier (remote loads are ~10× longer).
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 220,
      height: 220,
      mark: 'bar',
      encoding: {
        x: { field: 'model', type: 'nominal', title: null, sort: null, axis: { labelAngle: -40 } },
        xOffset: { field: 'loader', type: 'nominal', sort: ['fleetlab', 'safetensors', 'pytorch'] },
        y: { field: 'load_s', type: 'quantitative', title: 'load time (s)' },
        color: { field: 'loader', type: 'nominal', title: 'loader', sort: ['fleetlab', 'safetensors', 'pytorch'] },
      },
    },
  } as TopLevelSpec;
}

/** Mean and P99 TTFT vs rate, one line per `series` value; facets by metric (and dataset). */
export function latencySpec(rows: readonly Record<string, unknown>[], series: string, title: string): TopLevelSpec {
  return {
    $schema: SCHEMA,
    data: { values: rows as Record<string, unknown>[] },
    transform: [
      { fold: ['ttft_mean_s', 'ttft_p99_s'], as: ['field', 'seconds'] },
      // Readable panel titles: the folded field names are column names, not labels.
      { calculate: "datum.field === 'ttft_mean_s' ? 'mean' : 'P99'", as: 'metric' },
    ],
    facet: {
      column: { field: 'metric', type: 'nominal', title: null },
      row: { field: 'dataset', type: 'nominal', title: null },
    },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 260,
      height: 200,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'rate_per_s', type: 'quantitative', title: 'request rate (req/s)', scale: { type: 'log' } },
        y: { field: 'seconds', type: 'quantitative', title: `${title} (s, log)`, scale: { type: 'log' } },
        color: { field: series, type: 'nominal', title: series },
      },
    },
  } as TopLevelSpec;
}
