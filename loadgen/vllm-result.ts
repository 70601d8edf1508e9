// The result JSON of `vllm bench serve --save-result`, same keys, same definitions (the keys and
// statistics are shared with the simulator's summary.json `vllm_bench`: metrics/vllm-keys.ts).
import { exactStats, goodRequests, metricKeys, type VllmMetric } from '../metrics/vllm-keys.ts';
import type { RequestOutput } from './client.ts';
import type { BenchServeOptions } from './options.ts';

type Metric = VllmMetric;

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
  const metrics = Object.assign({}, ...o.percentile_metrics.map((m) => metricKeys(m, exactStats(samples[m]), o.metric_percentiles))) as Record<string, number>;
  const good =
    o.goodput === undefined
      ? null
      : goodRequests(ok.map((r) => ({ ttft_ms: r.ttft_s * 1e3, tpot_ms: (tpotOf(r) ?? 0) * 1e3, e2el_ms: r.latency_s * 1e3 })), o.goodput);
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
    request_goodput: good === null ? null : good / duration_s,
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
