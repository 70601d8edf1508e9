/**
 * `least-requests` — the instance with the fewest running + waiting requests in its latest
 * report (a classic load-balancer baseline; blind to request sizes). Ties → fewest
 * dispatched, then lowest id.
 */
import { assertUsableReport } from '../load/freeness.ts';
import type { DispatchPolicy } from '../types.ts';
import { accept, type ArrivingRequest, type ClusterView, type InstanceId, type InstanceReport, type Verdict } from '../view.ts';
import { activeOnly, makeDispatchPolicy } from './framework.ts';
import { ScoreIndex } from './score-index.ts';

export const LEAST_REQUESTS = 'least-requests';

function requestsScore(report: InstanceReport): number {
  assertUsableReport(LEAST_REQUESTS, report);
  return -(report.running + report.waiting);
}

export function leastRequestsDispatch(): DispatchPolicy {
  const framework = makeDispatchPolicy(LEAST_REQUESTS, [activeOnly], (_request, candidates) =>
    candidates.map(({ report }) => requestsScore(report)),
  );
  // The same choice without re-scoring every instance at every arrival (score-index.ts); the
  // framework decides when the index declines (warm-up: an active instance not reported yet;
  // no active instance).
  const index = new ScoreIndex(requestsScore);
  return {
    name: LEAST_REQUESTS,
    choose(request: ArrivingRequest, view: ClusterView): Verdict<InstanceId> {
      const id = index.best(view);
      return id === undefined ? framework.choose(request, view) : accept(LEAST_REQUESTS, id);
    },
  };
}
