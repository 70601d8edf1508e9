// The neutral records a run emits, and the observer that receives them. Both worlds speak
// these: the simulator (sim/) and the real backend (a fleet replay, `fleetlab bench serve`)
// emit them, and everything in metrics/ reads only them — never a simulator or backend type —
// so the same summary, CSVs, steps.csv and trace.json come out of either.
import type { VllmBenchOptions } from './vllm-bench.ts';
import type { SampleStats } from './vllm-keys.ts';
import type { WorkloadReport } from '../traces/index.ts';

/** One preemption by recompute of a request, and the re-prefill that followed it. */
export interface RecomputeRecord {
  /** When the request lost its KV cache. */
  readonly killed_s: number;
  /** Output tokens it had produced when killed (the artifact's loss formula uses them). */
  readonly output_tokens: number;
  /** When it was admitted again. */
  readonly readmit_s: number;
  /** When its re-prefill ended (its KV cache was whole again). */
  readonly end_s: number;
}

/**
 * One request's life, emitted once when it leaves the fleet (finished or rejected). A request
 * still in the fleet when the run ends is emitted then, without `finish_s`.
 */
export interface RequestRecord {
  /** Request ids are the submission order (0..n−1): requests.csv lists them by id. */
  readonly id: number;
  readonly priority: string;
  /** The instance that served it last; −1 when unknown (a client-side measurement) or never placed. */
  readonly instance: number;
  readonly arrival_s: number;
  readonly prompt_tokens: number;
  /** Output tokens produced. */
  readonly output_tokens: number;
  /** First admitted into a batch; undefined when unknown (then the first-token time stands in). */
  readonly first_scheduled_s: number | undefined;
  readonly first_token_s: number | undefined;
  readonly last_token_s: number | undefined;
  readonly finish_s: number | undefined;
  /** Σ durations of the steps it took part in; 0 when not measured. */
  readonly execution_s: number;
  readonly preemptions: number;
  readonly migrations: number;
  readonly recomputes: readonly RecomputeRecord[];
  /** Why it never entered the fleet, when it was rejected. */
  readonly rejected?: string;
}

/** One engine step of one instance: a row of steps.csv, a slice of trace.json. */
export interface StepRecord {
  readonly instance: number;
  /** Step start, seconds from the run's start. */
  readonly start_s: number;
  readonly duration_s: number;
  /** Prefill chunks in the batch and their new tokens. */
  readonly prefill_seqs: number;
  readonly prefill_tokens: number;
  readonly decode_seqs: number;
  /** KV tokens of the batch once the step is done: Σ (context + new) of the chunks + Σ decode contexts. */
  readonly context_tokens: number;
  /** Sequences preempted (recompute) while this step was formed. */
  readonly preemptions: number;
}

export type AbortReason = 'dst-no-memory' | 'request-finished' | 'request-preempted' | 'max-stages';

/** What one live migration did. */
export interface MigrationRecord {
  readonly id: number;
  readonly request: number;
  readonly from: number;
  readonly to: number;
  readonly started_s: number;
  readonly ended_s: number;
  readonly status: 'committed' | 'aborted';
  readonly reason: AbortReason | undefined;
  readonly stages: number;
  readonly blocks_copied: number;
  /** Time the request was suspended (last stage); 0 when it never was. */
  readonly downtime_s: number;
}

/** Load of one instance at one sample time: a row of instances.csv. */
export interface InstanceSample {
  readonly time_s: number;
  readonly instance: number;
  readonly state: string;
  readonly free_blocks: number;
  readonly running: number;
  readonly waiting: number;
  readonly killed: number;
  readonly migrations_in_flight: number;
}

/**
 * Step prices the Llumnix artifact's preemption-loss formula needs (a `PerfModel` is one).
 * A run without one (a real fleet) cannot carry recomputes.
 */
export interface PreemptionCostModel {
  prefill_ms(lengths: readonly number[]): number;
  decode_ms(batch: number, context_tokens: number): number;
}

/** What is known when a run starts: its name and the config written to config.json. */
export interface RunInfo {
  readonly name: string;
  /** Label of the system in comparisons. */
  readonly system: string;
  readonly seed: number;
  /** Written to config.json after `fleetlab_version`. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly preemption_cost?: PreemptionCostModel;
  /** summary.json gets a `vllm_bench` section with these keys (simulated runs; config metrics.vllm_bench). */
  readonly vllm_bench?: VllmBenchOptions;
  /** The client's cap on requests in flight (vLLM's --max-concurrency), for that section. */
  readonly max_concurrency?: number;
}

/** Instance-sample pacing actually used (the interval doubles past the row budget). */
export interface SamplingRecord {
  readonly requested_interval_s: number;
  readonly interval_s: number;
  readonly max_rows: number;
  readonly coarsened: number;
}

/** What is known when a run ends. */
export interface RunEnd {
  /** The last finish time (the makespan). */
  readonly end_s: number;
  /** Simulator events executed; 0 for a real run. */
  readonly events: number;
  /** Fleet size averaged over time. */
  readonly avg_instances: number;
  /** Fleet size averaged over step reports (the Llumnix artifact's average). */
  readonly avg_instances_record_weighted: number;
  readonly sampling?: SamplingRecord;
  /** Traces the workload read, and what happened to their rows. */
  readonly workload?: WorkloadReport;
  /** summary.json fields the run could not observe (a client measuring a real server). */
  readonly not_measured?: readonly string[];
  /** Every gap between consecutive tokens of a request, folded in as they happened (vllm_bench ITL). */
  readonly token_gaps?: SampleStats;
}

/**
 * Receives a run's records as they happen. Every method is optional; `step` is left undefined
 * by observers that do not want steps, so a run builds no step records for nobody.
 */
export interface RunObserver {
  runStarted?(info: RunInfo): void;
  request?(record: RequestRecord): void;
  step?: ((record: StepRecord) => void) | undefined;
  migration?(record: MigrationRecord): void;
  /** Instance samples arrive once the row budget has settled which ticks stay (at the run's end). */
  sample?(record: InstanceSample): void;
  runEnded?(end: RunEnd): void;
}

/**
 * A run's requests, read in order: an array, or the collector's typed columns read back one
 * record at a time (a long run keeps no object per request). Iterate it; do not index it.
 */
export interface RequestList extends Iterable<RequestRecord> {
  readonly length: number;
}

/** Everything metrics/ needs to summarise a run and write its results folder. */
export interface RunRecords {
  readonly info: RunInfo;
  /** By id (submission order). */
  readonly requests: RequestList;
  /** In the order they ended. */
  readonly migrations: readonly MigrationRecord[];
  readonly samples: readonly InstanceSample[];
  /** Present when the run was asked to keep steps. */
  readonly steps: readonly StepRecord[] | undefined;
  readonly end: RunEnd;
}
