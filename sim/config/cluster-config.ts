import { z } from 'zod';
import { limitedInt, LIMITS } from '../../config/index.ts';

/** Fleet size and the vLLM engine limits of every instance (llumnix.md §6, Appendix A). */
export const ClusterConfig = z.strictObject({
  /** Instances serving from t = 0. */
  instances: limitedInt(LIMITS.instances).default(16),
  /** M: KV blocks per instance (LLaMA-7B on a 24 GB A10 at 0.9 utilisation ≈ 792). */
  total_blocks: z.number().int().positive().default(792),
  /** Admission watermark as a fraction of M (W = ⌊fraction·M⌋; vLLM uses 1 %). */
  watermark_fraction: z.number().min(0).max(0.5).default(0.01),
  block_size_tokens: z.number().int().positive().default(16),
  /** Cap on Σ prompt tokens of one prefill batch (12800 in Llumnix Fig. 11). */
  max_num_batched_tokens: z.number().int().positive().default(12800),
  max_num_seqs: z.number().int().positive().default(256),
  /** Delay from a scale-up decision until a new instance serves (the artifact simulator: 5 s). */
  startup_s: z.number().nonnegative().default(5),
  /**
   * Queue high-priority requests ahead of normal ones inside an instance (the paper's intent;
   * the OSDI'24 artifact's queue was effectively FIFO).
   */
  high_priority_first: z.boolean().default(false),
});
export type ClusterConfig = z.infer<typeof ClusterConfig>;
