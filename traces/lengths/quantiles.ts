import type { Rng } from '../request.ts';

/**
 * An empirical inverse CDF through (probability, tokens) knots: a uniform u picks the segment
 * [p_i, p_i+1) and the value is interpolated between its two knot values, then rounded to a
 * whole token. `linear` interpolates the values; `log` interpolates their logarithms
 * (geometric), which follows heavy-tailed length distributions far better between sparse
 * knots: with only P50/P80/P95/P99 known, linear segments overshoot the mean of a
 * right-skewed distribution by ~10 %.
 */
export type Interpolation = 'linear' | 'log';

/** Knots as [probability, tokens]; probabilities strictly increase from 0 to 1, values never decrease. */
export type QuantileKnots = readonly (readonly [number, number])[];

/** Describes what is wrong with a knot list, or undefined if it is usable. */
export function checkKnots(knots: QuantileKnots, interpolation: Interpolation): string | undefined {
  const first = knots[0];
  const last = knots[knots.length - 1];
  if (!first || !last || knots.length < 2) return 'at least two knots';
  if (first[0] !== 0 || last[0] !== 1) return 'first knot at probability 0 and last at probability 1';
  for (let i = 1; i < knots.length; i++) {
    const [p0, v0] = knots[i - 1] as readonly [number, number];
    const [p1, v1] = knots[i] as readonly [number, number];
    if (!(p1 > p0)) return `strictly increasing probabilities (knot ${i})`;
    if (!(v1 >= v0)) return `non-decreasing token values (knot ${i})`;
  }
  if (!(first[1] >= 1)) return 'token values >= 1';
  if (interpolation === 'log' && !(first[1] > 0)) return 'positive token values for log interpolation';
  return undefined;
}

/** The continuous inverse CDF at u ∈ [0, 1], before rounding. */
export function inverseCdf(knots: QuantileKnots, interpolation: Interpolation, u: number): number {
  let i = 1;
  while (i < knots.length - 1 && u >= (knots[i]?.[0] ?? 1)) i++;
  const [p0, v0] = knots[i - 1] ?? [0, 0];
  const [p1, v1] = knots[i] ?? [1, 0];
  const t = (u - p0) / (p1 - p0);
  if (interpolation === 'linear' || v0 === v1) return v0 + t * (v1 - v0);
  return v0 * Math.pow(v1 / v0, t);
}

/** n whole-token draws, one uniform each. Rounding to nearest keeps the mean unbiased. */
export function sampleQuantiles(knots: QuantileKnots, interpolation: Interpolation, n: number, rng: Rng): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = Math.max(1, Math.round(inverseCdf(knots, interpolation, rng())));
  return out;
}

/** The exact mean of the continuous distribution the knots define (for choosing endpoints). */
export function knotsMean(knots: QuantileKnots, interpolation: Interpolation): number {
  let mean = 0;
  for (let i = 1; i < knots.length; i++) {
    const [p0, v0] = knots[i - 1] as readonly [number, number];
    const [p1, v1] = knots[i] as readonly [number, number];
    // Mean of a segment: arithmetic mean of its ends (linear) or their logarithmic mean (log).
    const segment = interpolation === 'linear' || v0 === v1 ? (v0 + v1) / 2 : (v1 - v0) / Math.log(v1 / v0);
    mean += (p1 - p0) * segment;
  }
  return mean;
}
