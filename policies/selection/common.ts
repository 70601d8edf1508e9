/**
 * Shared eligibility for migration request selection (reference §3.3).
 */
import type { SelectionContext } from '../types.ts';
import type { LocalRequestView } from '../view.ts';

/**
 * A request can move when it is not already migrating and is decoding (≥ 1 output token):
 * a request still in prefill has no complete KV cache to copy, and the artifact's
 * strategies all require the decode phase.
 */
export function movable(request: LocalRequestView): boolean {
  return !request.migrating && request.output_tokens >= 1;
}

/**
 * Movable normal-priority requests; high-priority ones only from a draining instance, once no
 * normal request is left. High-priority work is what the headroom protects: moving it off a
 * merely loaded instance would spread it, and every instance hosting it repels normal work.
 */
export function candidates(running: readonly LocalRequestView[], context: SelectionContext | undefined): LocalRequestView[] {
  const eligible = running.filter(movable);
  const normal = eligible.filter((r) => r.priority === 'normal');
  return normal.length > 0 || context?.draining !== true ? normal : eligible;
}

/** Earlier admit order first, then lower id: the documented tie-break of every selector. */
export function admittedFirst(a: LocalRequestView, b: LocalRequestView): number {
  return a.admit_order - b.admit_order || a.id - b.id;
}

/** The minimum of `items` under `compare` (first wins on ties), undefined if empty. */
export function minBy<T>(items: readonly T[], compare: (a: T, b: T) => number): T | undefined {
  let best: T | undefined;
  for (const item of items) if (best === undefined || compare(item, best) < 0) best = item;
  return best;
}
