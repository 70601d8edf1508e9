import type { DecodeItem } from './plan.ts';
import type { Sequence } from './sequence.ts';

/**
 * The decode entry of `seq` for the plan being formed, with `context_tokens` set: the sequence
 * itself (`seq.seq === seq`), not a new object per generated token nor a second object to reach
 * it through. Safe because a sequence is in at most one plan in flight (an engine runs one step
 * at a time, and migration suspends a sequence only once its iteration has ended), and every
 * consumer reads a plan before its engine forms the next one (the plan itself is refilled then:
 * see PlanBuffer).
 */
export function decodeItem<S extends Sequence>(seq: S, context_tokens: number): DecodeItem<S> {
  seq.context_tokens = context_tokens;
  return seq;
}
