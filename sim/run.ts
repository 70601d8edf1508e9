import { fanOut, type InstanceSample, RecordCollector, type RunObserver, type RunRecords } from '../metrics/index.ts';
import { createScheduler } from '../policies/index.ts';
import { generateWorkload, type WorkloadReport } from '../traces/index.ts';
import { InstanceSampler } from './sampler.ts';
import { buildPerfModel } from './build-perf.ts';
import { SimCluster } from './cluster/index.ts';
import { stalledRunError } from './cluster/stall.ts';
import type { EngineLimits } from '../engine/index.ts';
import { ConfigError } from './errors.ts';
import type { ClusterConfig, RunConfig } from './config/index.ts';
import { Band, Simulation } from './kernel/index.ts';
import { requestRecord, type SimRequest } from './instance/index.ts';
import type { MigrationRecord } from './migration/index.ts';
import { kvBytesPerBlock, linkCopyModel, type PerfModel } from './perf/index.ts';
import type { Rejection } from './cluster/index.ts';
import type { TokenGaps } from '../metrics/token-gaps.ts';

/** Load of one instance at one sample time (live state, not the manager's stale report): a neutral record of metrics/. */
export type { InstanceSample } from '../metrics/index.ts';

export interface SimRunResult {
  readonly config: RunConfig;
  /** The run's neutral records (what metrics/ summarises and writes). */
  readonly records: RunRecords;
  readonly perf: PerfModel;
  /** Every request of the run; empty when `keepRequests: false` (the records have them). */
  readonly requests: readonly SimRequest[];
  readonly migrations: readonly MigrationRecord[];
  readonly rejections: readonly Rejection[];
  /** Every inter-token gap of the run (vLLM's ITL): exact mean and std, sketched percentiles. */
  readonly token_gaps: TokenGaps;
  readonly samples: readonly InstanceSample[];
  /** The sampling actually used: the interval doubles when the row budget would be exceeded. */
  readonly sampling: { readonly requested_interval_s: number; readonly interval_s: number; readonly max_rows: number; readonly coarsened: number };
  /** Traces loaded and their dropped, adjusted, reordered and clipped rows. */
  readonly workload_report: WorkloadReport;
  readonly end_s: number;
  readonly events: number;
  /** Fleet size averaged over time (starting and draining instances count: they hold GPUs). */
  readonly avg_instances: number;
  /** Fleet size averaged over step reports, as Llumnix's plot script (biased to busy periods). */
  readonly avg_instances_record_weighted: number;
}

export interface SimulateOptions {
  /** Where relative paths of the config (trace files, profiles) resolve from. */
  readonly baseDir?: string;
  /** Called now and then with (finished requests, total requests). */
  readonly onProgress?: (finished: number, total: number) => void;
  /** Check block accounting after every step and invariants after every event (tests). */
  readonly checkInvariants?: boolean;
  /** Engines keep block ids even without prefix caching (tests: the same results either way; SimClusterOptions.blockIds). */
  readonly blockIds?: boolean;
  /** Called after every event (tests check invariants here). */
  readonly afterEvent?: (cluster: SimCluster) => void;
  /** Also receive the run's records as they happen (the result's `records` are collected anyway). */
  readonly observers?: readonly RunObserver[];
  /**
   * Keep every request in the result's `requests` (default true). False: the result's
   * `requests` is empty and memory stays flat with the run's length (the records have it all).
   */
  readonly keepRequests?: boolean;
  /** Keep step records in `records.steps` (default: when config.metrics asks for steps.csv or trace.json). */
  readonly keepSteps?: boolean;
}

/** Runs one configuration to completion: every request finished or rejected. */
export function simulate(config: RunConfig, options: SimulateOptions = {}): SimRunResult {
  const baseDir = options.baseDir ?? process.cwd();
  const sim = new Simulation(config.seed);
  const report: WorkloadReport = { traces: [], clipped_to_cap_tokens: 0 };
  const workload = generateWorkload(
    config.workload,
    { arrivals: sim.rng.stream('arrivals'), lengths: sim.rng.stream('lengths'), priorities: sim.rng.stream('priorities') },
    { baseDir, report },
  );
  const perf = buildPerfModel(config.model, baseDir, () => sim.rng.stream('step-jitter'));
  const bytesPerBlock = kvBytesPerBlock({ ...config.model, block_size_tokens: config.cluster.block_size_tokens });
  const scheduler = createScheduler(config.scheduler, { rng: sim.rng.stream('dispatch') });
  const collector = new RecordCollector({ keepSteps: options.keepSteps ?? (config.metrics.steps === true || config.metrics.trace_json === true) });
  const observer = fanOut([collector, ...(options.observers ?? [])]);
  observer.runStarted?.({
    name: config.name, system: config.system ?? config.name, seed: config.seed, config, preemption_cost: perf, vllm_bench: config.metrics.vllm_bench,
    ...(config.workload.max_concurrency === undefined ? {} : { max_concurrency: config.workload.max_concurrency }),
  });
  const cluster = new SimCluster(
    sim,
    {
      instances: config.cluster.instances,
      engine: config.cluster.engine?.kind ?? 'vllm-v0',
      limits: engineLimits(config.cluster),
      startup_s: config.cluster.startup_s,
      ...(config.cluster.frontend === undefined ? {} : { frontend: config.cluster.frontend }),
      ...(config.cluster.contention === undefined ? {} : { contention: config.cluster.contention.step_factors }),
      perf,
      copy: linkCopyModel({
        bytes_per_block: bytesPerBlock,
        bandwidth_gbps: config.migration.bandwidth_gbps,
        stage_overhead_ms: config.migration.stage_overhead_ms,
      }),
      migration: config.migration,
      checkInvariants: options.checkInvariants ?? false,
      ...(options.blockIds === undefined ? {} : { blockIds: options.blockIds }),
      keepRequests: options.keepRequests ?? true,
      observer,
      max_concurrency: config.workload.max_concurrency,
    },
    scheduler,
  );
  // The workload array is ours: arrivals empty it as they go (a million specs need not live on).
  cluster.load(workload, { consume: true });

  const sampler = new InstanceSampler(config.metrics.sample_interval_s, config.metrics.max_sample_rows);
  const total = workload.length;
  const sample = (): void => {
    const tick: InstanceSample[] = [];
    for (const instance of cluster.instances) {
      tick.push({
        time_s: sim.now_s,
        instance: instance.id,
        state: instance.state,
        free_blocks: instance.engine.free_blocks,
        running: instance.engine.running.length,
        waiting: instance.engine.waiting.length,
        killed: instance.engine.killed,
        migrations_in_flight: instance.migrations_in_flight,
      });
    }
    const delay = sampler.record(tick);
    // Keep sampling only while work remains, so the run ends when the last request does.
    if (cluster.finished < total) {
      // Only this sampler is left while requests are in flight: nothing can move them.
      if (sim.pending === 0) throw stalledRunError(cluster, sim.now_s);
      sim.after(delay, Band.control, sample);
    }
  };
  sim.at(0, Band.control, sample);

  const progressEvery = 1 << 15;
  const afterEvent = options.afterEvent;
  const onProgress = options.onProgress;
  // No call per event when nobody listens (tens of millions of events in a large run).
  sim.run(
    afterEvent === undefined && onProgress === undefined
      ? {}
      : {
          afterEach: () => {
            if (afterEvent !== undefined) afterEvent(cluster);
            if (onProgress !== undefined && sim.executed % progressEvery === 0) onProgress(cluster.finished, total);
          },
        },
  );
  options.onProgress?.(cluster.finished, total);
  const end_s = cluster.lastFinish_s;
  // Requests still in the fleet (none when every request finished or was rejected) leave now.
  for (const r of cluster.inFlight()) if (r.phase !== 'finished') observer.request?.(requestRecord(r));
  const samples = sampler.samples();
  for (const s of samples) observer.sample?.(s);
  const sampling = {
    requested_interval_s: sampler.requested_interval_s,
    interval_s: sampler.interval_s,
    max_rows: sampler.max_rows,
    coarsened: sampler.coarsened,
  };
  const avg_instances = cluster.averageInstances();
  const avg_instances_record_weighted = cluster.averageInstancesPerReport();
  observer.runEnded?.({ end_s, events: sim.executed, avg_instances, avg_instances_record_weighted, sampling, workload: report, token_gaps: cluster.tokenGaps });
  return {
    config,
    records: collector.records(),
    perf,
    requests: cluster.requests,
    migrations: cluster.migrations,
    rejections: cluster.rejections,
    samples,
    sampling,
    token_gaps: cluster.tokenGaps,
    workload_report: report,
    end_s,
    events: sim.executed,
    avg_instances,
    avg_instances_record_weighted,
  };
}

/** The engine limits of every instance; vllm-v1 has no watermark (vLLM v1 removed it). */
export function engineLimits(cluster: ClusterConfig): EngineLimits {
  const engine = cluster.engine;
  const common = {
    total_blocks: cluster.total_blocks,
    block_size_tokens: cluster.block_size_tokens,
    max_num_batched_tokens: cluster.max_num_batched_tokens,
    max_num_seqs: cluster.max_num_seqs,
    high_priority_first: cluster.high_priority_first,
  };
  if (engine === undefined || engine.kind === 'vllm-v0') {
    const budget = engine?.prefill_token_budget;
    return { ...common, watermark_blocks: Math.floor(cluster.watermark_fraction * cluster.total_blocks), ...(budget === undefined ? {} : { prefill_token_budget: budget }) };
  }
  if (engine.prefill_token_budget !== undefined) {
    // vLLM v1 has one token budget per step that chunks prompts; nothing is padded.
    throw ConfigError.single('cluster.engine.prefill_token_budget', 'absent with kind vllm-v1 (its steps share one token budget)', engine.prefill_token_budget);
  }
  const capacity = cluster.total_blocks * cluster.block_size_tokens;
  if (engine.max_model_len_tokens !== undefined && engine.max_model_len_tokens > capacity) {
    // vLLM refuses to start when one max_model_len sequence cannot fit the KV cache.
    throw ConfigError.single('cluster.engine.max_model_len_tokens', `at most the KV capacity ${capacity} (total_blocks × block_size_tokens)`, engine.max_model_len_tokens);
  }
  return {
    ...common,
    watermark_blocks: 0,
    enable_prefix_caching: engine.enable_prefix_caching,
    ...(engine.max_model_len_tokens === undefined ? {} : { max_model_len_tokens: engine.max_model_len_tokens }),
  };
}
