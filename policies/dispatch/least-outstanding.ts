/**
 * `least-outstanding` — Vidur's `lor` global scheduler: the instance with the fewest *waiting*
 * requests (its queue, preempted requests included; running requests are not counted), ties to
 * the lowest id. Vidur reads the replicas' live queues at the moment it routes, so this policy
 * asks for a live view by default (`reads: live`); with `reads: reports` it counts the last step
 * report's queue instead. Unlike `least-requests` (running + waiting, ties to fewest dispatched)
 * it concentrates load on low ids until their queues grow, which is why the two give very
 * different latencies on the same trace (docs/policies.md).
 */
import { assertUsableReport } from '../load/freeness.ts';
import type { DispatchPolicy } from '../types.ts';
import { activeOnly, makeDispatchPolicy } from './framework.ts';

export const LEAST_OUTSTANDING = 'least-outstanding';

export function leastOutstandingDispatch(): DispatchPolicy {
  return makeDispatchPolicy(
    LEAST_OUTSTANDING,
    [activeOnly],
    (_request, candidates) =>
      candidates.map(({ report }) => {
        assertUsableReport(LEAST_OUTSTANDING, report);
        return -report.waiting;
      }),
    'lowest-id',
  );
}
