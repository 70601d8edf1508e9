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
});

export const PerfSpec = z.discriminatedUnion('kind', [FittedPerf, TablePerf]);
export type PerfSpec = z.infer<typeof PerfSpec>;

/** The served model: KV geometry (bytes per block) and its step-latency model. */
export const ModelConfig = z.strictObject({
  name: z.string().default('llama-7b'),
  layers: z.number().int().positive().default(32),
  kv_heads: z.number().int().positive().default(32),
  head_dim: z.number().int().positive().default(128),
  /** Bytes per KV element (2 for fp16/bf16). */
  dtype_bytes: z.number().int().positive().default(2),
  perf: PerfSpec.prefault({ kind: 'fitted' }),
});
export type ModelConfig = z.infer<typeof ModelConfig>;
