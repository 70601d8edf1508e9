import type { Rng } from './request.ts';

/**
 * Draws from standard distributions using only the caller's uniform stream, so every number
 * in a workload is reproducible from the seeds the simulation hands out. Each function
 * documents how many uniforms it consumes, because that is what keeps streams aligned.
 */

/** Exp(mean): one uniform. `1 - u` keeps the log finite since u ∈ [0, 1). */
export function sampleExponential(rng: Rng, mean: number): number {
  return -Math.log(1 - rng()) * mean;
}

/**
 * N(0, 1) by Marsaglia's polar method: a variable number of uniforms (pairs, ~1.27 pairs on
 * average). The second normal of the pair is discarded so the function stays stateless.
 */
export function sampleStandardNormal(rng: Rng): number {
  for (;;) {
    const x = 2 * rng() - 1;
    const y = 2 * rng() - 1;
    const s = x * x + y * y;
    if (s > 0 && s < 1) return x * Math.sqrt((-2 * Math.log(s)) / s);
  }
}

/**
 * Gamma(shape, scale = 1) by Marsaglia & Tsang (2000): squeeze test first, log test only when
 * the squeeze fails. Shapes below 1 use the boost Gamma(a) = Gamma(a + 1) · U^(1/a), since the
 * method itself needs shape ≥ 1/3 and is exact only for a ≥ 1.
 */
export function sampleGamma(rng: Rng, shape: number): number {
  if (!(shape > 0) || !Number.isFinite(shape)) throw new RangeError(`gamma shape must be > 0, got ${shape}`);
  if (shape < 1) {
    const boosted = sampleGamma(rng, shape + 1);
    return boosted * Math.pow(1 - rng(), 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = sampleStandardNormal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng(); // (0, 1]: log(u) stays finite
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2) return d * v;
    if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Cumulative, normalised weights for `sampleIndex`; throws on a weight that is negative or not finite. */
export function cumulativeWeights(weights: readonly number[]): Float64Array {
  const cdf = new Float64Array(weights.length);
  let total = 0;
  weights.forEach((w, i) => {
    if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`weight ${i} must be finite and >= 0, got ${w}`);
    total += w;
    cdf[i] = total;
  });
  if (!(total > 0)) throw new RangeError('weights must not all be zero');
  for (let i = 0; i < cdf.length; i++) cdf[i] = (cdf[i] ?? 0) / total;
  cdf[cdf.length - 1] = 1; // rounding must not leave u ∈ [last, 1) without a bucket
  return cdf;
}

/**
 * Inverse-CDF draw of an index: one uniform, the first i with u < cdf[i] (binary search), the
 * same rule numpy's `choice(p=...)` applies, so zero-weight items are never picked.
 */
export function sampleIndex(cdf: Float64Array, rng: Rng): number {
  const u = rng();
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (u < (cdf[mid] ?? 1)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
