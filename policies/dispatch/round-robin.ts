/**
 * `round-robin` — Llumnix's `balanced` dispatch: the instance with the fewest requests
 * dispatched so far (ties → lowest id). From zero this is exactly 0, 1, …, N−1, 0, …, and an
 * instance added later catches up first. Ignores load.
 */
import type { DispatchPolicy } from '../types.ts';
import { accept, type ArrivingRequest, type ClusterView, type InstanceId, type Verdict } from '../view.ts';
import { activeOnly, makeDispatchPolicy } from './framework.ts';
import { ScoreIndex } from './score-index.ts';

export const ROUND_ROBIN = 'round-robin';

export function roundRobinDispatch(): DispatchPolicy {
  const framework = makeDispatchPolicy(ROUND_ROBIN, [activeOnly], (_request, candidates) =>
    candidates.map((c) => -c.dispatched),
  );
  // The same choice without a candidate per instance per arrival (score-index.ts); the score
  // reads no report, so the index answers during warm-up too. The framework decides when the
  // index declines (no active instance: its rejection and reasons).
  const index = new ScoreIndex((_report, dispatched) => -dispatched, { needsReports: false });
  return {
    name: ROUND_ROBIN,
    choose(request: ArrivingRequest, view: ClusterView): Verdict<InstanceId> {
      const id = index.best(view);
      return id === undefined ? framework.choose(request, view) : accept(ROUND_ROBIN, id);
    },
  };
}
