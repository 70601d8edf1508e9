import type { StepBatch } from '../../engine/index.ts';

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
  /**
   * Any step an engine plans: prefill chunks and decodes in one batch. A prefill-only batch of
   * whole prompts costs exactly `prefill_ms`, a decode-only batch exactly `decode_ms`, an empty
   * batch 0; each model documents its price of mixed batches and of chunks with context.
   */
  step_ms(batch: StepBatch): number;
}

/** Whole prompts only (every chunk starts at position 0): the v0 prefill batch. */
export function wholePrompts(batch: StepBatch): number[] | undefined {
  const lengths: number[] = [];
  for (const p of batch.prefills) {
    if (p.context_tokens !== 0) return undefined;
    lengths.push(p.new_tokens);
  }
  return lengths;
}

/** Σ context tokens of the decodes (summed in plan order, as v0 summed its running list). */
export function decodeContext(batch: StepBatch): number {
  let context = 0;
  for (const d of batch.decodes) context += d.context_tokens;
  return context;
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
