import type { Rng } from '../request.ts';
import { sampleExponential } from '../sampling.ts';

/**
 * Llumnix's other synthetic length options, plus a constant. Each consumes one uniform per
 * length except capped_exponential, which redraws (a variable number) until in range.
 */

/** Integers uniform on [ceil(mean − range/2), floor(mean + range/2)]; the config guarantees the low end ≥ 1. */
export function sampleUniformLengths(meanTokens: number, rangeTokens: number, n: number, rng: Rng): number[] {
  const lo = Math.ceil(meanTokens - rangeTokens / 2);
  const hi = Math.floor(meanTokens + rangeTokens / 2);
  return Array.from({ length: n }, () => lo + Math.floor(rng() * (hi - lo + 1)));
}

/** ceil(Exp(mean)) truncated at `range` (Llumnix's "exponential": values above the cap become the cap). */
export function sampleExponentialLengths(meanTokens: number, rangeTokens: number, n: number, rng: Rng): number[] {
  return Array.from({ length: n }, () => Math.min(rangeTokens, Math.max(1, Math.ceil(sampleExponential(rng, meanTokens)))));
}

/**
 * ceil(Exp(mean)) redrawn until it lies in [1, range] (Llumnix's "capped_exponential"): a
 * truncated, not clipped, distribution, so no mass piles up at the cap; its mean is below `mean`.
 */
export function sampleCappedExponentialLengths(meanTokens: number, rangeTokens: number, n: number, rng: Rng): number[] {
  return Array.from({ length: n }, () => {
    for (;;) {
      const v = Math.ceil(sampleExponential(rng, meanTokens));
      if (v >= 1 && v <= rangeTokens) return v;
    }
  });
}

export function fixedLengths(tokens: number, n: number): number[] {
  return new Array<number>(n).fill(tokens);
}
