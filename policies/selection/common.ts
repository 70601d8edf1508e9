/**
 * Shared eligibility for migration request selection (reference §3.3).
 */
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
 * Movable normal-priority requests; only when there are none, movable high-priority ones.
 * High-priority work is what the headroom protects, so it moves last (e.g. when a
 * terminating instance must drain).
 */
export function candidatesPreferNormal(running: readonly LocalRequestView[]): LocalRequestView[] {
  const eligible = running.filter(movable);
  const normal = eligible.filter((r) => r.priority === 'normal');
  return normal.length > 0 ? normal : eligible;
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
