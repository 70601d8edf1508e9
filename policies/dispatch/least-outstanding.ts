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
import { accept, type ArrivingRequest, type ClusterView, type InstanceId, type InstanceReport, type Verdict } from '../view.ts';
import { activeOnly, makeDispatchPolicy } from './framework.ts';
import { ScoreIndex } from './score-index.ts';

export const LEAST_OUTSTANDING = 'least-outstanding';

function waitingScore(report: InstanceReport): number {
  assertUsableReport(LEAST_OUTSTANDING, report);
  return -report.waiting;
}

export function leastOutstandingDispatch(): DispatchPolicy {
  const framework = makeDispatchPolicy(LEAST_OUTSTANDING, [activeOnly], (_request, candidates) => candidates.map(({ report }) => waitingScore(report)), 'lowest-id');
  // The same choice without a candidate per instance per arrival (score-index.ts), following
  // the view's change feed (the simulator's live view has one too). Vidur's rule has no warm-up:
  // an instance that has not reported yet is counted as it stands, so the index answers from
  // the first arrival; the framework decides only when no instance is active (its reasons).
  const index = new ScoreIndex(waitingScore, { needsReports: false, ties: 'lowest-id' });
  return {
    name: LEAST_OUTSTANDING,
    choose(request: ArrivingRequest, view: ClusterView): Verdict<InstanceId> {
      const id = index.best(view);
      return id === undefined ? framework.choose(request, view) : accept(LEAST_OUTSTANDING, id);
    },
  };
}
