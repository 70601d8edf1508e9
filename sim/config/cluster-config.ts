import { z } from 'zod';
import { ENGINE_KINDS, type EngineKind, PREFILL_TOKEN_BUDGETS, type PrefillTokenBudget } from '../../engine/index.ts';

/**
 * The scheduler + block manager of every instance (docs/engine.md). Absent means `vllm-v0`
 * (kept absent rather than defaulted so existing results stay byte-identical).
 */
export const EngineSpec = z.strictObject({
  /** vllm-v0: Llumnix's vLLM 0.1.7; vllm-v1: one token budget, chunked prefill, prefix cache. */
  kind: z.enum(ENGINE_KINDS as [EngineKind, ...EngineKind[]]).default('vllm-v0'),
  /** vllm-v1: reuse cached full KV blocks across requests and after preemption (vLLM v1's default). */
  enable_prefix_caching: z.boolean().default(true),
  /**
   * vllm-v1: longest prompt + output admitted; a longer request is rejected with its reason.
   * Default: the KV capacity (total_blocks × block_size_tokens), the most one instance can hold.
   */
  max_model_len_tokens: z.number().int().positive().optional(),
  /**
   * vllm-v0: a prefill batch's tokens against max_num_batched_tokens: `sum` of its prompts (vLLM
   * 0.1.7, the default) or `padded` (prompts × the longest, vLLM 0.2 and Vidur's vllm scheduler).
   */
  prefill_token_budget: z.enum(PREFILL_TOKEN_BUDGETS as [PrefillTokenBudget, ...PrefillTokenBudget[]]).optional(),
});
export type EngineSpec = z.output<typeof EngineSpec>;
import { limitedInt, LIMITS } from '../../config/index.ts';
import { GpuSpec } from './memory-plan.ts';

/** Fleet size and the vLLM engine limits of every instance (llumnix.md §6, Appendix A). */
export const ClusterConfig = z.strictObject({
  /** Instances serving from t = 0. */
  instances: limitedInt(LIMITS.instances).default(16),
  /**
   * M: KV blocks per instance (LLaMA-7B on a 24 GB A10 at 0.9 utilisation ≈ 792). Absent: planned
   * from `gpu` and the model's size (docs/memory.md), else 792. Given: it wins over the plan.
   */
  total_blocks: z.number().int().positive().optional(),
  /**
   * Admission watermark as a fraction of M (W = ⌊fraction·M⌋; vLLM 0.1.7 uses 1 %). vllm-v1 has
   * no watermark and ignores it.
   */
  watermark_fraction: z.number().min(0).max(0.5).default(0.01),
  block_size_tokens: z.number().int().positive().default(16),
  /**
   * vllm-v0: cap on Σ prompt tokens of one prefill batch (12800 in Llumnix Fig. 11);
   * vllm-v1: the token budget every step shares between decodes and prefill chunks.
   */
  max_num_batched_tokens: z.number().int().positive().default(12800),
  max_num_seqs: z.number().int().positive().default(256),
  /** Delay from a scale-up decision until a new instance serves (the artifact simulator: 5 s). */
  startup_s: z.number().nonnegative().default(5),
  /**
   * Queue high-priority requests ahead of normal ones inside an instance (the paper's intent;
   * the OSDI'24 artifact's queue was effectively FIFO).
   */
  high_priority_first: z.boolean().default(false),
  engine: EngineSpec.optional(),
  /**
   * The path around every engine in a real fleet (manager, RPC, API): each request reaches its
   * instance `dispatch_ms` after its arrival (dispatched on the view at arrival), and each token
   * reaches its client `delivery_ms` after its step ends. Absent: 0 and 0, the simulator's
   * historical ideal. The fidelity loop measures both on the real fleet (docs/fidelity.md).
   */
  frontend: z
    .strictObject({
      dispatch_ms: z.number().nonnegative().default(0),
      delivery_ms: z.number().nonnegative().default(0),
    })
    .optional(),
  /**
   * Instances sharing one machine's cores (a CPU fleet): a step's price is multiplied by
   * `step_factors[k]` when k other instances are mid-step as it starts; beyond the list's end
   * the last entry applies. The fidelity loop fits them on a calibration replay
   * (docs/fidelity.md, contention). Absent: instances share nothing (one GPU each), factor 1.
   */
  contention: z
    .strictObject({
      step_factors: z.array(z.number().finite().positive()).min(1),
    })
    .optional(),
  /** The GPUs of one instance, for the memory planner (absent: total_blocks as given, or 792). */
  gpu: GpuSpec.optional(),
});
/** A resolved cluster: total_blocks is always set (by the config, the planner or the default). */
export type ClusterConfig = Omit<z.output<typeof ClusterConfig>, 'total_blocks'> & { total_blocks: number };

/** The default M when neither total_blocks nor gpu is given. */
export const DEFAULT_TOTAL_BLOCKS = 792;
