/**
 * Claims computed from results the way the artifact's plot.py aggregates them (reference
 * §8.3): per point a ratio baseline / Llumnix per metric, "up to" = max over points, ranges =
 * min and max over points, preemption = mean relative and absolute reduction, cost saving =
 * base / Llumnix − 1. Nothing here types a measured number.
 */

import type { ClaimClass, ClaimUnit } from '../verdict.ts';

/** A measured value, with the paper's claimed value for the same quantity when it has one. */
export interface Claim {
  /** Stable id shared with paper-claims (e.g. `generated.infaas.prefill_p99.up_to`). */
  readonly id: string;
  /** Our words for what the number is. */
  readonly text: string;
  readonly unit: ClaimUnit;
  /** Undefined when the results cannot give it (no points, a zero baseline). */
  readonly ours: number | undefined;
  readonly paper?: number | undefined;
  /** `calibration` when a model input was fitted to the paper's number; `evidence` otherwise (default). */
  readonly class?: ClaimClass;
  /** The points (x values, traces) the number was computed from. */
  readonly points?: readonly string[];
  /** Context for the verdict's "why" (how a calibration was fitted, what a number means). */
  readonly note?: string;
}

/** The same x run by the baseline and by the system under test. */
export interface Pair<S> {
  readonly key: string;
  readonly base: S;
  readonly ours: S;
}

const finite = (values: readonly number[]): number[] => values.filter((v) => Number.isFinite(v));

/** The keys of the pairs a ratio can be computed on (ours > 0 and both finite). */
export function usedKeys<S>(pairs: readonly Pair<S>[], get: (s: S) => number): string[] {
  return pairs.filter((p) => get(p.ours) > 0 && Number.isFinite(get(p.base) / get(p.ours))).map((p) => p.key);
}

/** base / ours per pair (ours must be > 0 to count). */
export function ratios<S>(pairs: readonly Pair<S>[], get: (s: S) => number): number[] {
  return finite(pairs.map((p) => (get(p.ours) > 0 ? get(p.base) / get(p.ours) : Number.NaN)));
}

export const maxOf = (values: readonly number[]): number | undefined => (values.length === 0 ? undefined : Math.max(...values));
export const minOf = (values: readonly number[]): number | undefined => (values.length === 0 ? undefined : Math.min(...values));
export const meanOf = (values: readonly number[]): number | undefined =>
  values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;

/** Mean over pairs of (base − ours) / base, as a percentage (pairs with base = 0 skipped). */
export function meanRelativeReduction<S>(pairs: readonly Pair<S>[], get: (s: S) => number): number | undefined {
  const values = finite(pairs.map((p) => (get(p.base) > 0 ? ((get(p.base) - get(p.ours)) / get(p.base)) * 100 : Number.NaN)));
  return meanOf(values);
}

/** Mean over pairs of base − ours (same unit as the metric). */
export function meanAbsoluteReduction<S>(pairs: readonly Pair<S>[], get: (s: S) => number): number | undefined {
  return meanOf(pairs.map((p) => get(p.base) - get(p.ours)));
}

/** Max over pairs of (base / ours − 1), as a percentage: the artifact's cost saving. */
export function maxSaving<S>(pairs: readonly Pair<S>[], get: (s: S) => number): number | undefined {
  const best = maxOf(ratios(pairs, get));
  return best === undefined ? undefined : (best - 1) * 100;
}

/** Pairs up points of two systems by key (points without a partner are left out). */
export function pairUp<S>(points: readonly { key: string; system: string; summary: S }[], base: string, ours: string): Pair<S>[] {
  const baseBy = new Map(points.filter((p) => p.system === base).map((p) => [p.key, p.summary]));
  return points.flatMap((p) => {
    const b = baseBy.get(p.key);
    return p.system === ours && b !== undefined ? [{ key: p.key, base: b, ours: p.summary }] : [];
  });
}

/** Attaches the paper's numbers (by claim id) to our claims. */
export function withPaper(claims: readonly Claim[], paper: Readonly<Record<string, number>>): Claim[] {
  return claims.map((c) => ({ ...c, paper: paper[c.id] }));
}

/**
 * The same claims computed over points the paper does not plot: ids get `suffix`, the paper's
 * number is dropped (they are reported apart, never beside it).
 */
export function beyondPaper(claims: readonly Claim[], suffix: string, what: string): Claim[] {
  return claims.map((c) => ({ ...c, id: `${c.id}.${suffix}`, text: `${c.text} (${what})`, paper: undefined }));
}
