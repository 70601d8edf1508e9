/**
 * `random` — uniform over feasible instances. The randomness comes from the caller's seeded
 * stream (`rng`), never `Math.random`, so two runs with the same seed dispatch identically.
 */
import { ConfigError } from '../errors.ts';
import type { DispatchPolicy } from '../types.ts';
import { accept, type ArrivingRequest, type ClusterView, type InstanceId, type Verdict } from '../view.ts';
import { activeOnly, makeDispatchPolicy } from './framework.ts';
import { ScoreIndex } from './score-index.ts';

export const RANDOM = 'random';

/** A uniform draw in [0, 1), e.g. a seedrandom stream. */
export type Rng = () => number;

export function randomDispatch(rng: Rng): DispatchPolicy {
  const draw = (): number => {
    const value = rng();
    if (!(value >= 0 && value < 1)) throw ConfigError.single('dispatch.rng()', 'to return a number in [0, 1)', value);
    return value;
  };
  const framework = makeDispatchPolicy(RANDOM, [activeOnly], (_request, candidates) => {
    const pick = Math.floor(draw() * candidates.length);
    return candidates.map((_c, i) => (i === pick ? 1 : 0));
  });
  // Keeps the active instances in slot order (score-index.ts follows the view's change feed;
  // the score is unused), so the framework's pick, feasible[⌊draw × active⌋] over the active
  // candidates in slot order, is the k-th active slot: the same one draw per arrival at the same
  // point, the same choice, and no candidate per instance, also while instances start or drain.
  // With no active instance (or none at all) the framework rejects, with its reasons, undrawn.
  const active = new ScoreIndex(() => 0, { needsReports: false, ties: 'lowest-id' });
  return {
    name: RANDOM,
    choose(request: ArrivingRequest, view: ClusterView): Verdict<InstanceId> {
      const count = active.activeCount(view);
      if (count === 0) return framework.choose(request, view);
      return accept(RANDOM, active.activeAt(Math.floor(draw() * count)));
    },
  };
}
