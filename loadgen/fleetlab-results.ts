// The same results folder a simulation writes (config.json, summary.json, requests.csv), so
// `fleetlab compare` puts measured and simulated runs side by side. Fields a client cannot
// observe (preemptions, migrations, instance counts, per-step execution time) are 0 and listed
// in summary.json `not_measured`.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { describe, round, type RequestMetrics, type RunSummary, VERSION } from '../metrics/index.ts';
import type { RequestOutput } from './client.ts';
import type { BenchServeOptions } from './options.ts';
import { tpotOf } from './vllm-result.ts';

export const NOT_MEASURED = [
  'execution_s',
  'preemption_loss_s',
  'preemption_stall_s',
  'preemptions',
  'preempted_requests',
  'migrations',
  'avg_instances_time_weighted',
  'avg_instances_record_weighted',
  'events',
  'instance_id',
] as const;

/** One requests.csv row per completed request, the simulator's columns; times from the benchmark start. */
export function requestRows(outputs: readonly RequestOutput[]): RequestMetrics[] {
  return outputs.flatMap((r, i) => {
    if (!r.success) return [];
    const row: RequestMetrics = {
      request_id: i,
      priority: 'normal',
      instance_id: -1,
      arrival_s: round(r.start_s),
      // The client cannot see scheduling; the simulator uses first-token time when it is unknown too.
      first_scheduled_s: round(r.start_s + r.ttft_s),
      first_token_s: round(r.start_s + r.ttft_s),
      finish_s: round(r.start_s + r.latency_s),
      prompt_tokens: r.prompt_len,
      output_tokens: r.output_tokens,
      request_latency_s: round(r.latency_s),
      prefill_latency_s: round(r.ttft_s),
      // As the simulator: 0 for a one-token answer.
      decode_latency_s: round(tpotOf(r) ?? 0),
      execution_s: 0,
      preemptions: 0,
      migrations: 0,
      preemption_loss_s: 0,
      preemption_stall_s: 0,
    };
    return [row];
  });
}

export function benchSummary(o: BenchServeOptions, name: string, outputs: readonly RequestOutput[], duration_s: number): RunSummary & { not_measured: readonly string[] } {
  const rows = requestRows(outputs);
  return {
    name,
    system: o.label ?? `real:${o.model}`,
    seed: o.seed,
    submitted: outputs.length,
    rejected: outputs.length - rows.length,
    requests: rows.length,
    request_latency_s: describe(rows.map((r) => r.request_latency_s)),
    prefill_latency_s: describe(rows.map((r) => r.prefill_latency_s)),
    decode_latency_s: describe(rows.map((r) => r.decode_latency_s)),
    execution_s: describe([]),
    preemption_loss_s: 0,
    preemption_stall_s: 0,
    preemptions: 0,
    preempted_requests: 0,
    migrations: { started: 0, committed: 0, aborted: 0, aborted_by_reason: {}, downtime_ms: describe([]), blocks_copied: 0 },
    avg_instances_time_weighted: 0,
    avg_instances_record_weighted: 0,
    makespan_s: round(duration_s),
    throughput_req_per_s: round(duration_s > 0 ? rows.length / duration_s : 0),
    events: 0,
    not_measured: NOT_MEASURED,
  };
}

/** Writes the folder through a temporary sibling and a rename, so a crash never leaves half of it. */
export function writeBenchResults(outDir: string, config: Record<string, unknown>, summary: RunSummary, outputs: readonly RequestOutput[]): void {
  const parent = dirname(outDir);
  mkdirSync(parent, { recursive: true });
  const staging = join(parent, `.${basename(outDir)}.partial-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
  writeFileSync(join(staging, 'config.json'), json({ fleetlab_version: VERSION, ...config }));
  writeFileSync(join(staging, 'summary.json'), json(summary));
  writeFileSync(join(staging, 'requests.csv'), stringify(requestRows(outputs) as unknown as Record<string, unknown>[], { header: true }));
  const previous = `${staging}.previous`;
  if (existsSync(outDir)) renameSync(outDir, previous);
  renameSync(staging, outDir);
  rmSync(previous, { recursive: true, force: true });
}
