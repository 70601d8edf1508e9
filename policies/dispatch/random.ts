/**
 * `random` — uniform over feasible instances. The randomness comes from the caller's seeded
 * stream (`rng`), never `Math.random`, so two runs with the same seed dispatch identically.
 */
import { ConfigError } from '../errors.ts';
import type { DispatchPolicy } from '../types.ts';
import { accept, type ArrivingRequest, type ClusterView, type InstanceId, type InstanceReport, type Verdict } from '../view.ts';
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
  // Counts the active instances without a pass over the fleet (score-index.ts; the score is
  // unused). When every instance is active the candidates are the instances in slot order, so
  // the framework's pick is slot ⌊draw × n⌋: the same draw, one per arrival, the same choice,
  // and no candidate per instance. Otherwise (warm-up of a new instance, scale-in) the framework.
  const active = new ScoreIndex(() => 0, { needsReports: false, ties: 'lowest-id' });
  return {
    name: RANDOM,
    choose(request: ArrivingRequest, view: ClusterView): Verdict<InstanceId> {
      const n = view.instances.length;
      if (n === 0 || active.activeCount(view) !== n) return framework.choose(request, view);
      const pick = Math.floor(draw() * n);
      return accept(RANDOM, (view.instances[pick] as InstanceReport).id);
    },
  };
}
