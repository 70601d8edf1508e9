// The same trace in the simulator: the same instances, engine limits, vLLM-v1 scheduler and
// global scheduler, with the step times the profiler measured on the real engine.
import { type RequestMetrics, type RunRecords, summarize } from '../metrics/index.ts';
import type { SchedulerSpecInput } from '../policies/index.ts';
import { parseRunConfig, simulate } from '../sim/index.ts';

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
  readonly kv: { readonly layers: number; readonly kv_heads: number; readonly head_dim: number; readonly dtype_bytes: number };
  readonly seed: number;
}

/** The simulated run's records (for its results folder) and its requests.csv rows by request id. */
export function simulateTrace(s: SimSide, options: { readonly keepSteps?: boolean } = {}): { records: RunRecords; rows: RequestMetrics[] } {
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
      },
      model: { name: 'profiled', ...s.kv, perf: { kind: 'table', file: s.profile_csv } },
      scheduler: s.scheduler,
      workload: { num_requests: s.requests, arrival: { kind: 'replay', trace }, lengths: { paired: { trace, order: 'sequential' } } },
    },
    'fidelity',
  );
  const { records } = simulate(config, { keepSteps: options.keepSteps ?? false });
  const { rows } = summarize(records);
  return { records, rows: [...rows].sort((a, b) => a.request_id - b.request_id) };
}
