import { quantileSorted } from 'simple-statistics';
import type { RequestSpec } from './request.ts';

/** Summary of a length (or any) sample; percentiles are numpy's default linear interpolation. */
export interface LengthStats {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p80: number;
  readonly p95: number;
  readonly p99: number;
  readonly min: number;
  readonly max: number;
}

/** Mean, P50/P80/P95/P99, min and max of values — the columns of Llumnix's Table 1. */
export function describeValues(values: readonly number[]): LengthStats {
  if (values.length === 0) throw new RangeError('describeValues needs at least one value');
  const sorted = Float64Array.from(values).sort();
  const list = Array.from(sorted);
  let sum = 0;
  for (const v of list) sum += v;
  const q = (p: number): number => quantileSorted(list, p);
  return {
    count: list.length,
    mean: sum / list.length,
    p50: q(0.5),
    p80: q(0.8),
    p95: q(0.95),
    p99: q(0.99),
    min: list[0] ?? Number.NaN,
    max: list[list.length - 1] ?? Number.NaN,
  };
}

/** Prompt and output length statistics of a workload. */
export function describeLengths(requests: readonly Pick<RequestSpec, 'prompt_tokens' | 'output_tokens'>[]): {
  prompt: LengthStats;
  output: LengthStats;
} {
  return {
    prompt: describeValues(requests.map((r) => r.prompt_tokens)),
    output: describeValues(requests.map((r) => r.output_tokens)),
  };
}
