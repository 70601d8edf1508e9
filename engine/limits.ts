export type EngineKind = 'vllm-v0' | 'vllm-v1';
export type PrefillTokenBudget = 'sum' | 'padded';
export const PREFILL_TOKEN_BUDGETS: readonly PrefillTokenBudget[] = ['sum', 'padded'];
export const ENGINE_KINDS: readonly EngineKind[] = ['vllm-v0', 'vllm-v1'];

/** Limits of one instance's engine (llumnix.md §6 for v0; vLLM v1's scheduler config). */
export interface EngineLimits {
  /** M: KV blocks. */
  readonly total_blocks: number;
  /** W: blocks admission (v0) and migration pre-allocation keep free (vLLM v0: 1 %; v1: 0). */
  readonly watermark_blocks: number;
  readonly block_size_tokens: number;
  /** v0: cap on the prompt tokens of one prefill batch (see prefill_token_budget); v1: the token budget of every step. */
  readonly max_num_batched_tokens: number;
  /**
   * v0: how a prefill batch counts against max_num_batched_tokens: `sum` of its prompts (vLLM
   * 0.1.7, as Llumnix ran it; the default) or `padded`, prompts × the longest prompt (vLLM 0.2's
   * padded batches, which Vidur's vllm scheduler keeps).
   */
  readonly prefill_token_budget?: PrefillTokenBudget;
  /** Cap on running sequences. */
  readonly max_num_seqs: number;
  /**
   * Queue high-priority requests ahead of normal ones (the paper's local priority queue; the
   * OSDI'24 artifact's insertion never matched, so its queue was FIFO: false).
   */
  readonly high_priority_first?: boolean;
  /** v1: reuse cached full blocks across sequences and after preemption. */
  readonly enable_prefix_caching?: boolean;
  /** v1: longest sequence (prompt + output) admitted; at most the KV capacity. */
  readonly max_model_len_tokens?: number;
}

export function blocksFor(tokens: number, block_size: number): number {
  return Math.ceil(tokens / block_size);
}
