// The same trace in the simulator: the same instances, engine limits, vLLM-v1 scheduler and
// global scheduler, with the step times the profiler measured on the real fleet and the
// dispatch and delivery latency measured around its engines.
import { summarize, type RequestMetrics, type RunRecords, type TokenGaps } from '../metrics/index.ts';
import type { SchedulerSpecInput } from '../policies/index.ts';
import { parseRunConfig, simulate } from '../sim/index.ts';
import type { JitterMemory } from '../sim/perf/step-jitter.ts';

export interface SimSide {
  readonly instances: number;
  readonly num_kv_blocks: number;
  readonly block_size_tokens: number;
  readonly max_num_batched_tokens: number;
  readonly max_num_seqs: number;
  readonly enable_prefix_caching: boolean;
  readonly scheduler: SchedulerSpecInput;
  readonly requests: number;
  /** Absolute paths. */
  readonly trace_csv: string;
  readonly profile_csv: string;
  /** Step-time variance measured in calibration (perf.jitter); absent: deterministic steps. */
  readonly jitter_csv?: string;
  /** How the jitter draws persist from step to step (perf.jitter_memory); absent: independent draws. */
  readonly jitter_memory?: JitterMemory;
  readonly kv: { readonly layers: number; readonly kv_heads: number; readonly head_dim: number; readonly dtype_bytes: number };
  /** cluster.frontend: what the real fleet adds around its engines (0 and 0: the ideal). */
  readonly frontend: { readonly dispatch_ms: number; readonly delivery_ms: number };
  /** cluster.contention.step_factors as fitted in calibration; absent: steps priced by the table alone. */
  readonly contention?: readonly number[];
  /** The KV transfer path as measured (migration stages), and the control time before the first stage. */
  readonly migration: { readonly bandwidth_gbps: number; readonly stage_overhead_ms: number; readonly control_ms?: number };
  readonly seed: number;
}

export interface SimOutcome {
  /** The run's neutral records (for its results folder). */
  readonly records: RunRecords;
  /** By request index. */
  readonly requests: RequestMetrics[];
  readonly migrations: number;
  readonly preemptions: number;
  /** Every inter-token gap of the run (ms; exact mean, sketched percentiles). */
  readonly token_gaps: TokenGaps;
}

export function simulateTrace(s: SimSide, options: { readonly keepSteps?: boolean } = {}): SimOutcome {
  const trace = { format: 'vidur', path: s.trace_csv };
  const config = parseRunConfig(
    {
      name: 'fidelity-sim',
      system: 'simulated',
      seed: s.seed,
      cluster: {
        instances: s.instances, total_blocks: s.num_kv_blocks, block_size_tokens: s.block_size_tokens,
        max_num_batched_tokens: s.max_num_batched_tokens, max_num_seqs: s.max_num_seqs,
        engine: { kind: 'vllm-v1', enable_prefix_caching: s.enable_prefix_caching },
        frontend: s.frontend,
        ...(s.contention === undefined ? {} : { contention: { step_factors: [...s.contention] } }),
      },
      model: { name: 'profiled', ...s.kv, perf: { kind: 'table', file: s.profile_csv, ...(s.jitter_csv === undefined ? {} : { jitter: s.jitter_csv }), ...(s.jitter_memory === undefined ? {} : { jitter_memory: s.jitter_memory }) } },
      scheduler: s.scheduler,
      migration: s.migration,
      workload: { num_requests: s.requests, arrival: { kind: 'replay', trace }, lengths: { paired: { trace, order: 'sequential' } } },
    },
    'fidelity',
  );
  const { records, token_gaps } = simulate(config, { keepSteps: options.keepSteps ?? false });
  const { summary, rows } = summarize(records);
  return { records, requests: [...rows].sort((a, b) => a.request_id - b.request_id), migrations: summary.migrations.committed, preemptions: summary.preemptions, token_gaps };
}
