/**
 * Cost models are their own family (as Vidur's execution-time predictors): the simulator asks
 * "how long does this step / copy take" and never hard-codes an answer.
 */
export interface PerfModel {
  readonly name: string;
  /** One prefill-only iteration over prompts of these lengths (tokens each). */
  prefill_ms(prompt_tokens: readonly number[]): number;
  /** One decode iteration: `batch_size` running requests holding `context_tokens` in total. */
  decode_ms(batch_size: number, context_tokens: number): number;
}

/** KV-cache geometry of one model: what a block holds and weighs. */
export interface KvGeometry {
  readonly block_size_tokens: number;
  readonly bytes_per_block: number;
}

/** Bytes of one KV block: K and V, every layer, every KV head, `block_size` tokens. */
export function kvBytesPerBlock(model: {
  layers: number;
  kv_heads: number;
  head_dim: number;
  dtype_bytes: number;
  block_size_tokens: number;
}): number {
  return 2 * model.layers * model.kv_heads * model.head_dim * model.dtype_bytes * model.block_size_tokens;
}

/** Time to copy KV blocks between instances: a fixed per-stage cost plus bytes / bandwidth. */
export interface CopyModel {
  stage_ms(blocks: number): number;
}

export function linkCopyModel(options: {
  bytes_per_block: number;
  bandwidth_gbps: number;
  stage_overhead_ms: number;
}): CopyModel {
  const msPerBlock = (options.bytes_per_block / (options.bandwidth_gbps * 1e9)) * 1e3;
  return { stage_ms: (blocks) => options.stage_overhead_ms + blocks * msPerBlock };
}

/** Fails loudly on a model that returns NaN, negative or infinite latencies. */
export function checkedLatency(model: string, what: string, ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new Error(`perf model ${model} returned ${ms} ms for ${what}; expected a finite value >= 0`);
  }
  return ms;
}
