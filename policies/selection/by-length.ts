/**
 * `SR` (shortest running, Llumnix main's default: cheapest to copy) and `LR` (longest
 * running: frees the most memory per migration). Length = prompt + generated tokens.
 * Movable normal-priority requests (high-priority ones only when draining); ties → earlier
 * admit order, then lower id.
 */
import type { RequestSelector, SelectionContext } from '../types.ts';
import type { LocalRequestView, RequestId } from '../view.ts';
import { admittedFirst, candidates, minBy } from './common.ts';

export const SR = 'SR';
export const LR = 'LR';

function byLength(name: string, sign: 1 | -1): RequestSelector {
  return {
    name,
    select(running: readonly LocalRequestView[], context?: SelectionContext): RequestId | undefined {
      const compare = (a: LocalRequestView, b: LocalRequestView): number =>
        sign * (a.length_tokens - b.length_tokens) || admittedFirst(a, b);
      return minBy(candidates(running, context), compare)?.id;
    },
  };
}

export const shortestSelector = (): RequestSelector => byLength(SR, 1);
export const longestSelector = (): RequestSelector => byLength(LR, -1);
