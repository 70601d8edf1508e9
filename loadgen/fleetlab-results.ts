// The same results folder a simulation writes (config.json, summary.json, requests.csv,
// instances.csv, migrations.csv, the manifest), written through the same records and observer
// path (metrics/records.ts), so `fleetlab compare` puts measured and simulated runs side by
// side. Fields a client cannot observe (preemptions, migrations, instance counts, per-step
// execution time, steps) are 0 or empty and listed in summary.json `not_measured`.
import { RecordCollector, type RequestRecord, type RunRecords, type RunSummary, writeResults } from '../metrics/index.ts';
import type { RequestOutput } from './client.ts';
import type { BenchServeOptions } from './options.ts';

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

/** The neutral record of one request as the client saw it; times from the benchmark start. */
export function requestRecord(r: RequestOutput, id: number): RequestRecord {
  const common = {
    id,
    priority: 'normal',
    instance: -1,
    arrival_s: r.start_s,
    prompt_tokens: r.prompt_len,
    // The client cannot see scheduling: the first-token time stands in for it, as in the simulator.
    first_scheduled_s: undefined,
    execution_s: 0,
    preemptions: 0,
    migrations: 0,
    recomputes: [],
  };
  if (!r.success) {
    return { ...common, output_tokens: 0, first_token_s: undefined, last_token_s: undefined, finish_s: undefined, rejected: r.error || 'failed' };
  }
  // The last token arrives when the stream ends: decode latency (last − first) / (n − 1) is vLLM's TPOT.
  const end = r.start_s + r.latency_s;
  return { ...common, output_tokens: r.output_tokens, first_token_s: r.start_s + r.ttft_s, last_token_s: end, finish_s: end };
}

/** The run's records: every request in send order (failed ones as rejected), the benchmark's duration as makespan. */
export function benchRecords(o: BenchServeOptions, name: string, config: Readonly<Record<string, unknown>>, outputs: readonly RequestOutput[], duration_s: number): RunRecords {
  const collector = new RecordCollector();
  collector.runStarted({ name, system: o.label ?? `real:${o.model}`, seed: o.seed, config });
  outputs.forEach((r, i) => collector.request(requestRecord(r, i)));
  collector.runEnded({ end_s: duration_s, events: 0, avg_instances: 0, avg_instances_record_weighted: 0, not_measured: NOT_MEASURED });
  return collector.records();
}

/**
 * Writes the folder as `fleetlab run` does (staged, then renamed; an earlier bench folder at
 * the same path is replaced, anything else there is refused).
 */
export function writeBenchResults(outDir: string, records: RunRecords): RunSummary {
  return writeResults(records, outDir, { overwrite: true });
}
