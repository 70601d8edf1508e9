// The result JSON of `vllm bench serve --save-result`, same keys, same definitions.
import { quantileSorted } from 'simple-statistics';
import type { RequestOutput } from './client.ts';
import type { BenchServeOptions } from './options.ts';

type Metric = BenchServeOptions['percentile_metrics'][number];

/** vLLM names a percentile as Python's `str(int(p))` when whole, else `str(p)`: p99, p99.9 — JavaScript's String() agrees. */
const percentileWord = (p: number): string => String(p);

function stats(values_ms: readonly number[], percentiles: readonly number[], metric: Metric): Record<string, number> {
  const sorted = [...values_ms].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = n === 0 ? 0 : sorted.reduce((s, v) => s + v, 0) / n;
  // NumPy's default std (population, ddof = 0) and linear-interpolation percentiles.
  const std = n === 0 ? 0 : Math.sqrt(sorted.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
  const q = (p: number): number => (n === 0 ? 0 : quantileSorted(sorted, p));
  const out: Record<string, number> = { [`mean_${metric}_ms`]: mean, [`median_${metric}_ms`]: q(0.5), [`std_${metric}_ms`]: std };
  for (const p of percentiles) out[`p${percentileWord(p)}_${metric}_ms`] = q(p / 100);
  return out;
}

/** TPOT of one request: (E2EL − TTFT) / (output tokens − 1); undefined with one token or none. */
export const tpotOf = (r: RequestOutput): number | undefined => (r.output_tokens > 1 ? (r.latency_s - r.ttft_s) / (r.output_tokens - 1) : undefined);

export function vllmResult(o: BenchServeOptions, outputs: readonly RequestOutput[], duration_s: number, date: string): Record<string, unknown> {
  const ok = outputs.filter((r) => r.success);
  const input = ok.reduce((s, r) => s + r.prompt_len, 0);
  const output = ok.reduce((s, r) => s + r.output_tokens, 0);
  const samples: Record<Metric, number[]> = {
    ttft: ok.map((r) => r.ttft_s * 1e3),
    tpot: ok.flatMap((r) => tpotOf(r) ?? []).map((s) => s * 1e3),
    itl: ok.flatMap((r) => r.itl_s).map((s) => s * 1e3),
    e2el: ok.map((r) => r.latency_s * 1e3),
  };
  const metrics = Object.assign({}, ...o.percentile_metrics.map((m) => stats(samples[m], o.metric_percentiles, m))) as Record<string, number>;
  return {
    date,
    backend: o.endpoint === '/v1/chat/completions' ? 'openai-chat' : 'openai',
    model_id: o.model,
    tokenizer_id: o.model,
    num_prompts: o.num_prompts,
    request_rate: o.request_rate === Infinity ? 'inf' : o.request_rate,
    burstiness: o.burstiness,
    max_concurrency: o.max_concurrency ?? null,
    duration: duration_s,
    completed: ok.length,
    failed: outputs.length - ok.length,
    total_input_tokens: input,
    total_output_tokens: output,
    request_throughput: ok.length / duration_s,
    request_goodput: null,
    output_throughput: output / duration_s,
    total_token_throughput: (input + output) / duration_s,
    ...metrics,
    input_lens: outputs.map((r) => r.prompt_len),
    output_lens: outputs.map((r) => r.output_tokens),
    ttfts: outputs.map((r) => r.ttft_s),
    itls: outputs.map((r) => r.itl_s),
    start_times: outputs.map((r) => r.start_s),
    generated_texts: outputs.map((r) => r.generated_text),
    errors: outputs.map((r) => r.error),
  };
}

/** vLLM's default file name: `{backend}-{rate}qps[-concurrency{N}]-{model}-{date}.json`. */
export function vllmResultFilename(o: BenchServeOptions, date: string): string {
  const backend = o.endpoint === '/v1/chat/completions' ? 'openai-chat' : 'openai';
  const rate = o.request_rate === Infinity ? 'inf' : String(o.request_rate);
  const concurrency = o.max_concurrency === undefined ? '' : `-concurrency${o.max_concurrency}`;
  return `${backend}-${rate}qps${concurrency}-${o.model.split('/').at(-1)}-${date}.json`;
}
