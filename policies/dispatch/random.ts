/**
 * `random` — uniform over feasible instances. The randomness comes from the caller's seeded
 * stream (`rng`), never `Math.random`, so two runs with the same seed dispatch identically.
 */
import { ConfigError } from '../errors.ts';
import type { DispatchPolicy } from '../types.ts';
import { activeOnly, makeDispatchPolicy } from './framework.ts';

export const RANDOM = 'random';

/** A uniform draw in [0, 1), e.g. a seedrandom stream. */
export type Rng = () => number;

export function randomDispatch(rng: Rng): DispatchPolicy {
  return makeDispatchPolicy(RANDOM, [activeOnly], (_request, candidates) => {
    const draw = rng();
    if (!(draw >= 0 && draw < 1)) throw ConfigError.single('dispatch.rng()', 'to return a number in [0, 1)', draw);
    const pick = Math.floor(draw * candidates.length);
    return candidates.map((_c, i) => (i === pick ? 1 : 0));
  });
}
