import { quantileSorted } from 'simple-statistics';

/** Mean, median and P99 of a sample; P99 is NumPy's default (linear interpolation). */
export interface Distribution {
  readonly mean: number;
  readonly p50: number;
  readonly p99: number;
}

export function describe(values: ArrayLike<number>): Distribution {
  if (values.length === 0) return { mean: 0, p50: 0, p99: 0 };
  // A typed array sorts numerically without a comparator call per comparison (same order for
  // finite values; −0 before +0, which no quantile or mean tells apart).
  // quantileSorted only indexes and reads length, which a typed array has.
  const sorted = Float64Array.from(values).sort() as unknown as readonly number[];
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    mean: round(sum / sorted.length),
    p50: round(quantileSorted(sorted, 0.5)),
    p99: round(quantileSorted(sorted, 0.99)),
  };
}

/** Rounds to a microsecond-scale precision so summaries stay readable and diffable. */
export function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
