import type { DecodeItem } from './plan.ts';
import type { Sequence } from './sequence.ts';

/**
 * The decode entry of `seq` for the plan being formed, with `context_tokens` set: the same
 * object every step (kept on the sequence), not a new one per generated token. Safe because a
 * sequence is in at most one plan in flight (an engine runs one step at a time, and migration
 * suspends a sequence only once its iteration has ended), and every consumer reads a plan
 * before its engine forms the next one (the plan itself is refilled then: see PlanBuffer).
 */
export function decodeItem<S extends Sequence>(seq: S, context_tokens: number): DecodeItem<S> {
  const entry = seq.decode_entry;
  if (entry === undefined) {
    const fresh = { seq, context_tokens };
    seq.decode_entry = fresh;
    return fresh;
  }
  entry.context_tokens = context_tokens;
  return entry as DecodeItem<S>;
}
