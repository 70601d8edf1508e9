import type { FinishedColumns } from './finished-columns.ts';
import { round } from './stats.ts';
import { ITL_RELATIVE_ACCURACY } from './token-gaps.ts';
import { exactStats, goodRequests, type GoodputSlo, metricKeys, type RequestLatencies, type SampleStats, type VllmMetric } from './vllm-keys.ts';

/** Which keys summary.json's `vllm_bench` section holds (config `metrics.vllm_bench`). */
export interface VllmBenchOptions {
  readonly percentile_metrics: readonly VllmMetric[];
  readonly metric_percentiles: readonly number[];
  readonly goodput?: GoodputSlo | undefined;
}

/** What the section is computed from: finished requests, every token gap, the run's length. */
export interface VllmBenchInput {
  /** The finished requests, folded into columns (see FinishedColumns). */
  readonly finished: FinishedColumns;
  readonly token_gaps: SampleStats;
  readonly submitted: number;
  /** First arrival (t = 0) to the last token: vLLM's benchmark duration. Seconds. */
  readonly duration_s: number;
  readonly max_concurrency?: number | undefined;
}

/** Each finished request's TTFT, TPOT (0 for one token) and E2EL, as goodput reads them. */
function* requestLatencies(finished: FinishedColumns): Generator<RequestLatencies> {
  const ttft = finished.ttft_ms.values();
  const tpot = finished.goodput_tpot_ms.values();
  const e2el = finished.e2el_ms.values();
  for (let i = 0; i < ttft.length; i++) yield { ttft_ms: ttft[i] as number, tpot_ms: tpot[i] as number, e2el_ms: e2el[i] as number };
}

/**
 * summary.json `vllm_bench`: the keys `vllm bench serve --save-result` writes, with its
 * definitions, so a simulated run reads like a measured one. TTFT = prefill latency, E2EL =
 * request latency, TPOT = (E2EL − TTFT) / (output tokens − 1) over requests with more than one
 * token, ITL = every gap between consecutive tokens of a request (percentiles within
 * ±`itl_relative_accuracy`, see TokenGaps). `failed` counts requests rejected (at arrival, or dropped by their engine).
 * Throughputs divide by the duration; `request_goodput` is null without SLOs, as in vLLM.
 */
export function vllmBenchSection(input: VllmBenchInput, options: VllmBenchOptions): Record<string, number | null> {
  const { finished, duration_s } = input;
  const completed = finished.count;
  const inputTokens = finished.input_tokens;
  const outputTokens = finished.output_tokens;
  const per = (total: number): number => (duration_s > 0 ? total / duration_s : 0);
  const samples_ms: Record<VllmMetric, () => SampleStats> = {
    ttft: () => exactStats(finished.ttft_ms.values()),
    tpot: () => exactStats(finished.tpot_ms.values()),
    itl: () => input.token_gaps,
    e2el: () => exactStats(finished.e2el_ms.values()),
  };
  const metrics: Record<string, number> = {};
  for (const m of options.percentile_metrics) Object.assign(metrics, metricKeys(m, samples_ms[m](), options.metric_percentiles));
  const good = options.goodput === undefined ? null : goodRequests(requestLatencies(finished), options.goodput);
  const section: Record<string, number | null> = {
    duration: duration_s,
    completed,
    failed: input.submitted - completed,
    max_concurrency: input.max_concurrency ?? null,
    total_input_tokens: inputTokens,
    total_output_tokens: outputTokens,
    request_throughput: per(completed),
    request_goodput: good === null ? null : per(good),
    output_throughput: per(outputTokens),
    total_token_throughput: per(inputTokens + outputTokens),
    ...metrics,
  };
  // Rounded like the rest of summary.json (to 1e-6), so results stay diffable across machines.
  for (const [key, value] of Object.entries(section)) if (value !== null) section[key] = round(value);
  if (options.percentile_metrics.includes('itl')) section['itl_relative_accuracy'] = ITL_RELATIVE_ACCURACY;
  return section;
}
