// vLLM's result vocabulary (`vllm bench serve --save-result`): the metric names, how a
// percentile is spelled in a key, the statistics behind each key and the goodput SLOs. Shared
// by the load generator (measured runs) and the simulator's summary.json `vllm_bench` section,
// so both write the same keys with the same definitions.
import { quantileSorted } from 'simple-statistics';
import { z } from 'zod';

/** vLLM's latency metrics: time to first token, time per output token, inter-token latency, end-to-end latency. */
export const VLLM_METRICS = ['ttft', 'tpot', 'itl', 'e2el'] as const;
export type VllmMetric = (typeof VLLM_METRICS)[number];

/** `--percentile-metrics`: which metrics get mean/median/std/percentile keys (fleetlab's default: all four). */
export const PercentileMetrics = z.array(z.enum(VLLM_METRICS)).min(1);
/** `--metric-percentiles`: percentiles in (0, 100]. */
export const MetricPercentiles = z.array(z.number().gt(0).lte(100)).min(1);
/**
 * `--goodput ttft:500 tpot:50`: service-level objectives in milliseconds. A finished request is
 * "good" when every metric named here is ≤ its SLO (vLLM: TTFT, TPOT, E2EL; a one-token request
 * counts TPOT as 0).
 */
export const GoodputSlo = z
  .strictObject({
    /** Time to first token SLO. Milliseconds. */
    ttft: z.number().positive().finite().optional(),
    /** Time per output token SLO. Milliseconds. */
    tpot: z.number().positive().finite().optional(),
    /** End-to-end latency SLO. Milliseconds. */
    e2el: z.number().positive().finite().optional(),
  })
  .refine((slo) => Object.keys(slo).length > 0, { message: 'at least one of ttft, tpot, e2el' });
export type GoodputSlo = z.output<typeof GoodputSlo>;

/** A sample's statistics, from exact values or from a quantile sketch. */
export interface SampleStats {
  readonly count: number;
  readonly mean: number;
  /** Population standard deviation (NumPy's default, ddof = 0). */
  readonly std: number;
  /** Value at quantile q in [0, 1]. */
  quantile(q: number): number;
}

/** Exact statistics of a list of values: linear-interpolation quantiles (NumPy's default). */
export function exactStats(values: ArrayLike<number>): SampleStats {
  // A typed array sorts numerically without a comparator call per comparison: the same order
  // as `(a, b) => a − b` for the finite, non-negative latencies summarised here, ~10× faster on
  // a million values. quantileSorted only indexes and reads length, which a typed array has.
  const sorted = Float64Array.from(values).sort() as unknown as readonly number[];
  const n = sorted.length;
  let sum = 0;
  for (const v of sorted) sum += v;
  const mean = n === 0 ? 0 : sum / n;
  let squares = 0;
  for (const v of sorted) squares += (v - mean) ** 2;
  return { count: n, mean, std: n === 0 ? 0 : Math.sqrt(squares / n), quantile: (q) => (n === 0 ? 0 : quantileSorted(sorted, q)) };
}

/** vLLM names a percentile as Python's `str(int(p))` when whole, else `str(p)`: p99, p99.9 — JavaScript's String() agrees. */
export const percentileKey = (metric: VllmMetric, p: number): string => `p${String(p)}_${metric}_ms`;

/** `mean_<m>_ms`, `median_<m>_ms`, `std_<m>_ms` and `p<P>_<m>_ms` of one metric, as vLLM writes them. */
export function metricKeys(metric: VllmMetric, stats: SampleStats, percentiles: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {
    [`mean_${metric}_ms`]: stats.mean,
    [`median_${metric}_ms`]: stats.quantile(0.5),
    [`std_${metric}_ms`]: stats.std,
  };
  for (const p of percentiles) out[percentileKey(metric, p)] = stats.quantile(p / 100);
  return out;
}

/** One finished request's latencies, in milliseconds (TPOT 0 for a one-token answer, as vLLM's goodput). */
export interface RequestLatencies {
  readonly ttft_ms: number;
  readonly tpot_ms: number;
  readonly e2el_ms: number;
}

/** How many requests meet every SLO named (vLLM's `request_goodput` numerator). */
export function goodRequests(requests: Iterable<RequestLatencies>, slo: GoodputSlo): number {
  let good = 0;
  for (const r of requests) {
    if ((slo.ttft === undefined || r.ttft_ms <= slo.ttft) && (slo.tpot === undefined || r.tpot_ms <= slo.tpot) && (slo.e2el === undefined || r.e2el_ms <= slo.e2el)) good++;
  }
  return good;
}

/**
 * Parses vLLM's `--goodput` words (`ttft:500 tpot:50`) into SLOs; the error names the word and
 * what was expected.
 */
export function parseGoodput(words: readonly string[]): GoodputSlo {
  const slo: Record<string, number> = {};
  for (const word of words) {
    const [key, value, ...rest] = word.split(':');
    const ms = Number(value);
    if (rest.length > 0 || (key !== 'ttft' && key !== 'tpot' && key !== 'e2el') || value === undefined || value.trim() === '' || !Number.isFinite(ms) || ms <= 0) {
      throw new Error(`--goodput: expected KEY:MILLISECONDS with KEY one of ttft, tpot, e2el and a number > 0 (e.g. ttft:500), received "${word}"`);
    }
    slo[key] = ms;
  }
  return GoodputSlo.parse(slo);
}
