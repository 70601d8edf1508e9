/**
 * `load` — INFaaS++ and Llumnix dispatch (reference §2): the active instance with the highest
 * dispatch freeness F_d, with the priority penalty steering high-priority requests towards
 * instances that already host high-priority work and normal requests away from them.
 *
 * Warm-up: until every active instance has reported once, an unreported instance's numbers
 * mean nothing, so dispatch falls back to round-robin by dispatched count (as the artifact).
 *
 * Ties (e.g. several idle instances, all F_d = +∞): fewest dispatched, then lowest id. The
 * artifact's stable-sort-then-reverse picks the highest id first (quirk §12 #15); we do not.
 */
import { dispatchFreeness } from '../load/freeness.ts';
import { DEFAULT_LOAD_OPTIONS, type LoadOptions } from '../load/options.ts';
import type { DispatchPolicy } from '../types.ts';
import { accept, type ArrivingRequest, type ClusterView, type InstanceId, type Priority, type Verdict } from '../view.ts';
import { activeOnly, makeDispatchPolicy } from './framework.ts';
import { ScoreIndex } from './score-index.ts';

export const LOAD = 'load';

export function loadDispatch(options: LoadOptions = DEFAULT_LOAD_OPTIONS): DispatchPolicy {
  const framework = makeDispatchPolicy(LOAD, [activeOnly], (request, candidates) => {
    if (candidates.some((c) => !c.report.reported)) return candidates.map((c) => -c.dispatched);
    return candidates.map((c) => dispatchFreeness(LOAD, c.report, request.priority, options));
  });
  // One index per priority class (the penalty makes F_d depend on it); same choice as the
  // framework, without re-scoring every instance at every arrival (score-index.ts).
  const indexes = new Map<Priority, ScoreIndex>();
  return {
    name: LOAD,
    choose(request: ArrivingRequest, view: ClusterView): Verdict<InstanceId> {
      let index = indexes.get(request.priority);
      if (index === undefined) {
        const priority = request.priority;
        index = new ScoreIndex((report) => dispatchFreeness(LOAD, report, priority, options));
        indexes.set(priority, index);
      }
      const id = index.best(view) ?? index.warmupBest(view);
      return id === undefined ? framework.choose(request, view) : accept(LOAD, id);
    },
  };
}
