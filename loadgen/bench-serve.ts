import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sendRequest, type RequestOutput, type Target } from './client.ts';
import { randomPrompts, shareGptPrompts, type BenchPrompt } from './dataset.ts';
import { baseUrlOf, type BenchServeOptions } from './options.ts';
import { Semaphore, sendTimes } from './schedule.ts';
import { probeServerTokenizer } from './server-tokenizer.ts';
import { vllmResult } from './vllm-result.ts';

export interface BenchServeRun {
  readonly outputs: readonly RequestOutput[];
  readonly duration_s: number;
  /** `vllm bench serve`'s result JSON. */
  readonly result: Record<string, unknown>;
  /** Whether prompt lengths were fitted with the server's /tokenize. */
  readonly server_tokenizer: boolean;
}

/** vLLM's `%Y%m%d-%H%M%S`, UTC. */
export const dateStamp = (d: Date): string => d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

export async function preparePrompts(o: BenchServeOptions, headers: Record<string, string>): Promise<{ prompts: BenchPrompt[]; server_tokenizer: boolean }> {
  const tokenizer = await probeServerTokenizer(baseUrlOf(o), o.model, headers);
  const prompts = o.dataset_name === 'random' ? await randomPrompts(o, tokenizer) : await shareGptPrompts(o, tokenizer);
  return { prompts, server_tokenizer: tokenizer !== undefined };
}

/** Sends every prompt on the seeded arrival schedule (bounded by max_concurrency) and measures each stream. */
export async function benchServe(o: BenchServeOptions, onDone?: (done: number) => void): Promise<BenchServeRun> {
  const headers: Record<string, string> = o.api_key === undefined ? {} : { authorization: `Bearer ${o.api_key}` };
  const { prompts, server_tokenizer } = await preparePrompts(o, headers);
  const target: Target = { url: `${baseUrlOf(o)}${o.endpoint}`, chat: o.endpoint === '/v1/chat/completions', model: o.model, ignore_eos: o.ignore_eos, headers };
  const times = sendTimes(prompts.length, o.request_rate, o.burstiness, o.seed);
  const limit = new Semaphore(o.max_concurrency ?? Number.MAX_SAFE_INTEGER);
  const date = dateStamp(new Date());
  const start = performance.now();
  const pending: Promise<RequestOutput>[] = [];
  let done = 0;
  for (const [i, prompt] of prompts.entries()) {
    const wait_ms = start + (times[i] ?? 0) * 1e3 - performance.now();
    if (wait_ms > 0) await new Promise((resolve) => setTimeout(resolve, wait_ms));
    await limit.acquire();
    pending.push(
      sendRequest(target, prompt, start).finally(() => {
        limit.release();
        onDone?.(++done);
      }),
    );
  }
  const outputs = await Promise.all(pending);
  const duration_s = (performance.now() - start) / 1e3;
  return { outputs, duration_s, result: vllmResult(o, outputs, duration_s, date), server_tokenizer };
}

export function saveVllmResult(result: Record<string, unknown>, dir: string, filename: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, filename);
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}

/** vLLM's console summary, the fixed-width table users compare by eye. */
export function formatSummary(result: Record<string, unknown>, o: BenchServeOptions): string {
  const n = (key: string): number => Number(result[key] ?? 0);
  const line = (label: string, value: string | number): string => `${label.padEnd(40)}${String(value).padStart(10)}`;
  const out = [
    '='.repeat(15) + ' Serving Benchmark Result ' + '='.repeat(9),
    line('Successful requests:', n('completed')),
    line('Failed requests:', n('failed')),
    line('Benchmark duration (s):', n('duration').toFixed(2)),
    line('Total input tokens:', n('total_input_tokens')),
    line('Total generated tokens:', n('total_output_tokens')),
    line('Request throughput (req/s):', n('request_throughput').toFixed(2)),
    line('Output token throughput (tok/s):', n('output_throughput').toFixed(2)),
    line('Total Token throughput (tok/s):', n('total_token_throughput').toFixed(2)),
  ];
  const titles = { ttft: 'Time to First Token', tpot: 'Time per Output Token (excl. 1st token)', itl: 'Inter-token Latency', e2el: 'End-to-end Latency' };
  for (const m of o.percentile_metrics) {
    out.push(titles[m].padStart(25 + titles[m].length / 2, '-').padEnd(50, '-'));
    out.push(line(`Mean ${m.toUpperCase()} (ms):`, n(`mean_${m}_ms`).toFixed(2)));
    out.push(line(`Median ${m.toUpperCase()} (ms):`, n(`median_${m}_ms`).toFixed(2)));
    for (const p of o.metric_percentiles) out.push(line(`P${p} ${m.toUpperCase()} (ms):`, n(`p${p}_${m}_ms`).toFixed(2)));
  }
  out.push('='.repeat(50));
  return out.join('\n');
}
