// How long a slow spell lasts. On a shared machine a step that waited for a core is usually
// followed by more such steps (another process's burst, the manager's GC): the log step-time
// ratios of a replay are autocorrelated (lag 1 ≈ 0.4, still ≈ 0.2 ten steps on, in the
// default scenario at load 7). Independent draws average out over a request's decode steps and
// leave the simulated TPOT without the real tail. The model: a step's ratio, in normal scores,
// is a share `share` of a slowly varying machine state that keeps `per_step` of itself from one
// step (on any instance) to the next, and the rest fresh noise; its correlation at lag k is
// share × per_step^k, fitted here on the calibration replay's steps in the order they started.
import { probit } from 'simple-statistics';
import type { JitterMemory } from '../sim/perf/step-jitter.ts';

/** Rank-based normal scores: the i-th smallest of n becomes Φ⁻¹((i + 0.5) / n). */
export function normalScores(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]! || a - b);
  const out = new Array<number>(values.length);
  order.forEach((index, rank) => {
    out[index] = probit((rank + 0.5) / values.length);
  });
  return out;
}

export function autocorrelation(xs: readonly number[], lag: number): number {
  const n = xs.length;
  if (lag <= 0 || lag >= n) return Number.NaN;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  let variance = 0;
  for (const x of xs) variance += (x - mean) ** 2;
  if (variance === 0) return Number.NaN;
  let cov = 0;
  for (let i = 0; i + lag < n; i++) cov += (xs[i]! - mean) * (xs[i + lag]! - mean);
  return (cov / (n - lag)) / (variance / n);
}

/**
 * share × per_step^k fitted to the positive autocorrelations at lags 1 … `maxLag` (least squares
 * on their logarithms, up to the first lag that is not positive). No positive correlation at
 * lag 1: no memory ({0, 0}).
 */
export function fitJitterMemory(scores: readonly number[], maxLag = 20): JitterMemory {
  const points: { k: number; log: number }[] = [];
  for (let k = 1; k <= maxLag; k++) {
    const c = autocorrelation(scores, k);
    if (!(c > 0)) break;
    points.push({ k, log: Math.log(c) });
  }
  if (points.length === 0) return { share: 0, per_step: 0 };
  if (points.length === 1) return { share: Math.min(1, Math.exp(points[0]!.log)), per_step: 0 };
  const mk = points.reduce((a, p) => a + p.k, 0) / points.length;
  const ml = points.reduce((a, p) => a + p.log, 0) / points.length;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.k - mk) * (p.log - ml);
    sxx += (p.k - mk) ** 2;
  }
  const per_step = Math.min(0.999, Math.max(0, Math.exp(sxy / sxx)));
  const share = Math.min(1, Math.max(0, Math.exp(ml - (sxy / sxx) * mk)));
  return { share, per_step };
}
