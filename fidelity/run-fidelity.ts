// The loop no other serving simulator closes: profile the real engine, replay one trace on the
// real fleet and in the simulator (same instances, same scheduler, the measured step times),
// and report the error per metric.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Fleet } from '../backend/manager/fleet.ts';
import { profileCsv, profileEngine, type ProfileOptions } from '../backend/profile/profile-engine.ts';
import { RecordCollector, type RunRecords, writeResults } from '../metrics/index.ts';
import type { SchedulerSpecInput } from '../policies/index.ts';
import { compare, markdownTable, type MetricComparison } from './report.ts';
import { replayOnFleet, type RequestTiming } from './real-run.ts';
import { simulateTrace } from './sim-run.ts';
import { syntheticTrace, traceCsv, type SyntheticTrace } from './workload.ts';

export interface FidelityOptions {
  readonly model: string;
  readonly instances: number;
  readonly scheduler: SchedulerSpecInput;
  readonly num_kv_blocks: number;
  readonly block_size_tokens: number;
  readonly max_num_batched_tokens: number;
  readonly max_num_seqs: number;
  readonly threads: number;
  readonly trace: SyntheticTrace;
  /** Profiling grid and repeats (the profile is measured first, in this run). */
  readonly profile: Omit<ProfileOptions, 'model' | 'threads' | 'block_size_tokens'>;
  readonly out: string;
  /** Also write steps.csv into the real/ and sim/ results folders (the real one from the engines' step reports). */
  readonly steps?: boolean;
  /** Also write trace.json (Chrome/Perfetto) into both results folders. */
  readonly trace_json?: boolean;
}

/** Fields of real/summary.json a client replay cannot observe per request (they are 0). */
export const REAL_NOT_MEASURED = ['execution_s', 'preemption_loss_s', 'preemption_stall_s', 'preemptions', 'preempted_requests', 'events', 'instance_id', 'first_scheduled_s'] as const;

export interface FidelityReport {
  readonly metrics: readonly MetricComparison[];
  readonly throughput: { readonly real_req_per_s: number; readonly sim_req_per_s: number; readonly rel_error: number };
  readonly requests: number;
  readonly out: string;
  readonly real: readonly RequestTiming[];
}

export async function runFidelity(o: FidelityOptions, log: (line: string) => void = () => {}): Promise<FidelityReport> {
  const out = path.resolve(o.out);
  await mkdir(out, { recursive: true });
  log(`profiling ${o.model} (${o.threads} thread(s)) …`);
  const profile = await profileEngine({ ...o.profile, model: o.model, threads: o.threads, block_size_tokens: o.block_size_tokens });
  const profilePath = path.join(out, 'profile.csv');
  await writeFile(profilePath, profileCsv(profile.rows));
  await writeFile(path.join(out, 'profile.json'), `${JSON.stringify(profile.meta, null, 2)}\n`);

  const rows = syntheticTrace(o.trace);
  const tracePath = path.join(out, 'trace.csv');
  await writeFile(tracePath, traceCsv(rows));

  log(`replaying ${rows.length} requests on ${o.instances} real instance(s) …`);
  const fleet = await Fleet.start({
    instances: o.instances, scheduler: o.scheduler,
    engine: {
      model: o.model, threads: o.threads, num_kv_blocks: o.num_kv_blocks, block_size_tokens: o.block_size_tokens,
      max_num_batched_tokens: o.max_num_batched_tokens, max_num_seqs: o.max_num_seqs, enable_prefix_caching: false,
    },
  });
  let real: RequestTiming[];
  const keepSteps = o.steps === true || o.trace_json === true;
  const collector = new RecordCollector({ keepSteps });
  const realConfig = { kind: 'fidelity-real', model: o.model, instances: o.instances, scheduler: o.scheduler, trace: o.trace, seed: o.trace.seed };
  collector.runStarted({ name: 'fidelity-real', system: `real:${o.model}`, seed: o.trace.seed, config: realConfig });
  const t0 = performance.now();
  try {
    real = await replayOnFleet(fleet, rows, o.trace.seed, collector);
  } finally {
    await fleet.stop();
  }
  const realMakespan = (performance.now() - t0) / 1e3;
  const lastFinish = Math.max(0, ...real.map((r) => r.sent_s + r.e2e_s));
  // A fixed fleet: its size is known, not sampled.
  collector.runEnded({ end_s: lastFinish, events: 0, avg_instances: o.instances, avg_instances_record_weighted: o.instances, not_measured: REAL_NOT_MEASURED });
  const folders = { steps: o.steps === true, traceJson: o.trace_json === true, overwrite: true };
  const realRecords: RunRecords = collector.records();
  writeResults(realRecords, path.join(out, 'real'), folders);

  log('simulating the same trace with the measured profile …');
  const arch = profile.meta['arch'] as { num_hidden_layers: number; num_key_value_heads: number; head_dim: number };
  const simulated = simulateTrace({
    instances: o.instances, num_kv_blocks: o.num_kv_blocks, block_size_tokens: o.block_size_tokens,
    max_num_batched_tokens: o.max_num_batched_tokens, max_num_seqs: o.max_num_seqs, enable_prefix_caching: false,
    scheduler: o.scheduler, requests: rows.length, trace_csv: tracePath, profile_csv: profilePath, seed: o.trace.seed,
    kv: { layers: arch.num_hidden_layers, kv_heads: arch.num_key_value_heads, head_dim: arch.head_dim, dtype_bytes: 4 },
  }, { keepSteps });
  writeResults(simulated.records, path.join(out, 'sim'), folders);
  const sim = simulated.rows;
  if (sim.length !== real.length) throw new Error(`the simulator finished ${sim.length} of ${real.length} requests; every request must finish in both worlds`);
  const metrics = [
    compare('TTFT', real.map((r) => r.ttft_s), sim.map((s) => s.prefill_latency_s)),
    compare('TPOT', real.filter((r) => r.output_tokens > 1).map((r) => r.tpot_s), sim.filter((s) => s.output_tokens > 1).map((s) => s.decode_latency_s)),
    compare('E2E', real.map((r) => r.e2e_s), sim.map((s) => s.request_latency_s)),
  ];
  const simMakespan = Math.max(...sim.map((s) => s.finish_s));
  const throughput = { real_req_per_s: rows.length / realMakespan, sim_req_per_s: rows.length / simMakespan, rel_error: realMakespan / simMakespan - 1 };

  const perRequest = ['index,real_ttft_s,sim_ttft_s,real_tpot_s,sim_tpot_s,real_e2e_s,sim_e2e_s'];
  for (const [i, r] of real.entries()) {
    const s = sim[i]!;
    perRequest.push([i, r.ttft_s, s.prefill_latency_s, r.tpot_s, s.decode_latency_s, r.e2e_s, s.request_latency_s].map((x) => (typeof x === 'number' && !Number.isInteger(x) ? x.toFixed(6) : String(x))).join(','));
  }
  await writeFile(path.join(out, 'requests.csv'), `${perRequest.join('\n')}\n`);
  const report = { metrics, throughput, requests: rows.length, out, real };
  await writeFile(path.join(out, 'fidelity.json'), `${JSON.stringify({ metrics, throughput, requests: rows.length, options: o }, null, 2)}\n`);
  await writeFile(
    path.join(out, 'fidelity.md'),
    [
      `# Fidelity: simulated vs real, ${rows.length} requests on ${o.instances} instance(s) of ${o.model}`,
      '',
      `Trace: Poisson ${o.trace.rate_per_s} req/s, prompts ${o.trace.prompt_tokens.join('–')} tokens, outputs ${o.trace.output_tokens.join('–')} tokens, seed ${o.trace.seed}.`,
      `Machine: ${String(profile.meta['cpu'])}, ${String(profile.meta['cores'])} cores; kernel ${String(profile.meta['kernel'])}, ${o.threads} thread(s) per instance.`,
      `Scheduler: ${JSON.stringify(o.scheduler)}; engine vLLM v1 (budget ${o.max_num_batched_tokens}, ${o.num_kv_blocks} blocks of ${o.block_size_tokens}).`,
      '',
      markdownTable(metrics),
      '',
      `Throughput: real ${throughput.real_req_per_s.toFixed(3)} req/s, simulated ${throughput.sim_req_per_s.toFixed(3)} req/s.`,
      '',
      'Error = (simulated − real) / real. Per-request values: requests.csv; the profile used: profile.csv (+ profile.json).',
      'Both runs as fleetlab results folders: real/ and sim/ (`fleetlab compare real sim`).',
      '',
    ].join('\n'),
  );
  return report;
}
