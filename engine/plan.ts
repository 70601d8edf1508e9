import type { Sequence } from './sequence.ts';

/**
 * One batch, as the executor sees it. A prefill chunk computes `new_tokens` of a sequence
 * whose first `context_tokens` are already in its KV cache (a whole prompt: context 0; a
 * chunk or a prefix-cache hit: more). A decode computes the KV of one token; `context_tokens`
 * counts the sequence's tokens once this step is done (its position is `context_tokens − 1`).
 */
export interface StepBatch {
  readonly prefills: readonly { readonly new_tokens: number; readonly context_tokens: number }[];
  readonly decodes: readonly { readonly context_tokens: number }[];
}

export interface PrefillChunk<S extends Sequence = Sequence> {
  readonly seq: S;
  readonly new_tokens: number;
  /** Tokens already computed before this chunk (its start position). */
  readonly context_tokens: number;
}

export interface DecodeItem<S extends Sequence = Sequence> {
  readonly seq: S;
  /** Tokens in the KV cache once this step is done (position of the new token + 1). */
  readonly context_tokens: number;
}

/**
 * What a scheduler decided for one step. The real engine runs `prefills` (token ids
 * `seq.token_ids[context_tokens, context_tokens + new_tokens)` into `seq.block_table`) and
 * `decodes` (the last token at position `context_tokens − 1`); the simulator prices it.
 */
export interface StepPlan<S extends Sequence = Sequence> extends StepBatch {
  readonly prefills: readonly PrefillChunk<S>[];
  readonly decodes: readonly DecodeItem<S>[];
  /** Sequences admitted from the waiting queue in this step (also listed in `prefills`). */
  readonly admitted: readonly S[];
  /** Sequences preempted (recompute) while forming this step; they are back in the queue. */
  readonly preempted: readonly S[];
  /**
   * Sequences dropped from the head of the queue because no step can ever admit them (vLLM
   * 0.1.7's FINISHED_IGNORED: prompt plus generated tokens beyond `max_num_batched_tokens`,
   * which a preempted sequence can reach). Already removed, status 'finished'; the executor
   * ends them (the real engine with finish_reason 'length', as vLLM's server does; the
   * simulator records the reason). A plan may hold only these, with an empty batch.
   */
  readonly ignored: readonly S[];
}

/** What `update` did after a step: tokens appended, sequences finished (blocks freed). */
export interface StepOutcome<S extends Sequence = Sequence> {
  /** Sequences that produced a token this step, in plan order. */
  readonly emitted: readonly S[];
  /** Sequences the stop condition (or max_model_len) ended; already removed and freed. */
  readonly finished: readonly S[];
  /** Sequences whose prefill (or recompute) completed this step. */
  readonly prefilled: readonly S[];
}

/** Whether `seq` takes part in `plan`. */
export function planIncludes<S extends Sequence>(plan: StepPlan<S>, seq: S): boolean {
  for (const p of plan.prefills) if (p.seq === seq) return true;
  for (const d of plan.decodes) if (d.seq === seq) return true;
  return false;
}

/** Sequences of the plan, prefills first then decodes. */
export function planSequences<S extends Sequence>(plan: StepPlan<S>): S[] {
  const out: S[] = [];
  for (const p of plan.prefills) out.push(p.seq);
  for (const d of plan.decodes) out.push(d.seq);
  return out;
}

/** A batch's token counts, as step records report them (the simulator's and the real engine's). */
export interface BatchTokens {
  /** Tokens the prefill chunks compute. */
  readonly prefill_tokens: number;
  /** KV tokens of the prefilled sequences after the step (their context + the chunk). */
  readonly prefill_context_tokens: number;
  /** KV tokens of the decoding sequences after the step. */
  readonly decode_context_tokens: number;
}

export function batchTokens(batch: StepBatch): BatchTokens {
  let prefill_tokens = 0;
  let prefill_context_tokens = 0;
  let decode_context_tokens = 0;
  for (const p of batch.prefills) {
    prefill_tokens += p.new_tokens;
    prefill_context_tokens += p.context_tokens + p.new_tokens;
  }
  for (const d of batch.decodes) decode_context_tokens += d.context_tokens;
  return { prefill_tokens, prefill_context_tokens, decode_context_tokens };
}
