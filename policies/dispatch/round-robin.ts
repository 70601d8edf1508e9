/**
 * `round-robin` — Llumnix's `balanced` dispatch: the instance with the fewest requests
 * dispatched so far (ties → lowest id). From zero this is exactly 0, 1, …, N−1, 0, …, and an
 * instance added later catches up first. Ignores load.
 */
import type { DispatchPolicy } from '../types.ts';
import { activeOnly, makeDispatchPolicy } from './framework.ts';

export const ROUND_ROBIN = 'round-robin';

export function roundRobinDispatch(): DispatchPolicy {
  return makeDispatchPolicy(ROUND_ROBIN, [activeOnly], (_request, candidates) =>
    candidates.map((c) => -c.dispatched),
  );
}
