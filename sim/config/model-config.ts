import { z } from 'zod';
import { LLAMA_7B_A10 } from '../perf/index.ts';

const c = LLAMA_7B_A10;

/** Step latencies from closed-form fits (defaults: LLaMA-7B on A10, llumnix.md §6). */
const FittedPerf = z.strictObject({
  kind: z.literal('fitted'),
  decode_base_ms: z.number().nonnegative().default(c.decode_base_ms),
  decode_per_request_ms: z.number().nonnegative().default(c.decode_per_request_ms),
  decode_per_context_token_ms: z.number().nonnegative().default(c.decode_per_context_token_ms),
  prefill_base_ms: z.number().nonnegative().default(c.prefill_base_ms),
  prefill_per_token_ms: z.number().nonnegative().default(c.prefill_per_token_ms),
  prefill_per_token_squared_ms: z.number().nonnegative().default(c.prefill_per_token_squared_ms),
  /** Per-iteration CPU overhead; the Llumnix artifact simulator charged 4 ms. */
  step_overhead_ms: z.number().nonnegative().default(c.step_overhead_ms),
  prefill_quadratic: z.enum(['per-sequence', 'batch-sum']).default(c.prefill_quadratic),
});

/** Step latencies interpolated from a profiled CSV (`phase,batch_size,tokens,latency_ms`). */
const TablePerf = z.strictObject({
  kind: z.literal('table'),
  /** Path of the profile, relative to the config file. */
  file: z.string().min(1),
  /**
   * Fixed CPU cost added once to every non-empty step (scheduler, sampler, input preparation).
   * Absent means 0 (kept absent rather than defaulted so config.json of existing runs is unchanged).
   */
  step_overhead_ms: z.number().nonnegative().optional(),
  /**
   * Measured step-time variance: a CSV (`ratio`) of step time ÷ its shape's mean; each step's
   * price is multiplied by one drawn from it with the run's seed (sim/perf/step-jitter.ts).
   * Absent: every step of a shape costs the same.
   */
  jitter: z.string().min(1).optional(),
  /**
   * Slow steps come in spells (needs `jitter`): a share `share` of each draw, in normal scores,
   * is a state that keeps `per_step` of itself from one step (on any instance) to the next;
   * correlation at lag k is share × per_step^k. Absent: independent draws. The fidelity loop
   * fits it on its calibration replay (docs/fidelity.md).
   */
  jitter_memory: z
    .strictObject({
      share: z.number().min(0).max(1),
      per_step: z.number().min(0).lt(1),
    })
    .optional(),
});

/** Fixed per-step CPU cost of the profiled kinds; absent means 0 (see TablePerf). */
const StepOverhead = z.number().nonnegative().optional();

/**
 * LLMServingSim's layer-wise profile (docs/profiles.md): the `tp<k>` folder holding `dense.csv`,
 * `per_sequence.csv` and `attention.csv`; `model.layers` multiplies the per-layer times.
 */
const LlmServingSimPerf = z.strictObject({
  kind: z.literal('llmservingsim'),
  /** Folder of the profile, relative to the config file, or `builtin:<path under profiles/>`. */
  dir: z.string().min(1),
  step_overhead_ms: StepOverhead,
});

/** Vidur's operator profiles with tensor parallelism (docs/profiles.md). */
const VidurPerf = z.strictObject({
  kind: z.literal('vidur'),
  /** Token-level operators (`mlp.csv`); paths relative to the config file, or `builtin:<path under profiles/>`. */
  mlp: z.string().min(1),
  /** Attention operators (`attention.csv`). */
  attention: z.string().min(1),
  /** NCCL all-reduce times (`all_reduce.csv`); required when tp > 1. */
  all_reduce: z.string().min(1).optional(),
  /** Tensor-parallel degree of one instance: selects the rows profiled at this many workers. */
  tp: z.number().int().positive().default(1),
  /** Time statistic read from `time_stats.<op>.<statistic>` (Vidur trains on the median). */
  statistic: z.enum(['median', 'mean']).default('median'),
  /** KV sizes are rounded up to this many tokens before the attention lookup (Vidur: 64). */
  kv_granularity_tokens: z.number().int().positive().default(64),
  /** Extra attention time of a batch of more than one sequence, GQA models only (Vidur: 0.1). */
  attention_batching_overhead_fraction: z.number().nonnegative().default(0.1),
  /** CPU cost of launching one all-reduce (Vidur: 0.02 ms). */
  nccl_launch_overhead_ms: z.number().nonnegative().default(0.02),
  step_overhead_ms: StepOverhead,
});

export const PerfSpec = z.discriminatedUnion('kind', [FittedPerf, TablePerf, LlmServingSimPerf, VidurPerf]);
export type PerfSpec = z.infer<typeof PerfSpec>;

/** The served model: KV geometry (bytes per block) and its step-latency model. */
export const ModelConfig = z.strictObject({
  name: z.string().default('llama-7b'),
  layers: z.number().int().positive().default(32),
  kv_heads: z.number().int().positive().default(32),
  head_dim: z.number().int().positive().default(128),
  /** Bytes per KV element (2 for fp16/bf16). */
  dtype_bytes: z.number().int().positive().default(2),
  /** Parameters in billions (weights the memory planner subtracts; cluster.gpu, docs/memory.md). */
  parameters_billions: z.number().positive().optional(),
  /** Bytes per weight (default: dtype_bytes; 1 for fp8/int8 weights). */
  weight_bytes_per_parameter: z.number().positive().optional(),
  perf: PerfSpec.prefault({ kind: 'fitted' }),
});
export type ModelConfig = z.infer<typeof ModelConfig>;
