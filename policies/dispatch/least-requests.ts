/**
 * `least-requests` — the instance with the fewest running + waiting requests in its latest
 * report (a classic load-balancer baseline; blind to request sizes). Ties → fewest
 * dispatched, then lowest id.
 */
import { assertUsableReport } from '../load/freeness.ts';
import type { DispatchPolicy } from '../types.ts';
import { activeOnly, makeDispatchPolicy } from './framework.ts';

export const LEAST_REQUESTS = 'least-requests';

export function leastRequestsDispatch(): DispatchPolicy {
  return makeDispatchPolicy(LEAST_REQUESTS, [activeOnly], (_request, candidates) =>
    candidates.map(({ report }) => {
      assertUsableReport(LEAST_REQUESTS, report);
      return -(report.running + report.waiting);
    }),
  );
}
