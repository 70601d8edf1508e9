// Does the simulator rank the policies as the real fleet does? For each metric and statistic,
// the policies ordered by the real value and by the simulated one.
import type { MetricComparison, Stats } from './report.ts';

export interface PolicyResult {
  readonly policy: string;
  readonly metrics: readonly MetricComparison[];
}

export interface Ranking {
  readonly metric: string;
  readonly stat: keyof Stats;
  /** Best (lowest) first. */
  readonly real: readonly string[];
  readonly sim: readonly string[];
  readonly same: boolean;
  /** Smallest relative gap between neighbours in the real order: below the noise, a swap says little. */
  readonly real_min_gap: number;
}

export const RANKED: readonly { readonly metric: string; readonly stat: keyof Stats }[] = [
  { metric: 'TTFT', stat: 'mean' },
  { metric: 'TTFT', stat: 'p99' },
  { metric: 'TPOT', stat: 'mean' },
  { metric: 'E2E', stat: 'mean' },
  { metric: 'E2E', stat: 'p99' },
];

export function rankPolicies(results: readonly PolicyResult[]): Ranking[] {
  return RANKED.map(({ metric, stat }) => {
    const values = results.map((r) => {
      const m = r.metrics.find((x) => x.metric === metric);
      if (m === undefined) throw new Error(`policy ${r.policy} has no ${metric} comparison`);
      return { policy: r.policy, real: m.real[stat], sim: m.sim[stat] };
    });
    const real = [...values].sort((a, b) => a.real - b.real);
    const sim = [...values].sort((a, b) => a.sim - b.sim);
    let gap = Number.POSITIVE_INFINITY;
    for (let i = 1; i < real.length; i++) gap = Math.min(gap, ((real[i] as { real: number }).real - (real[i - 1] as { real: number }).real) / (real[i - 1] as { real: number }).real);
    const names = (xs: typeof values): string[] => xs.map((x) => x.policy);
    // Equal values are a tie, not an order: the simulator ranks alike only if it separates the
    // policies the real fleet separates, in the same direction (and ties only what ties there).
    const sign = (a: number, b: number): number => (Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b)) ? 0 : Math.sign(a - b));
    let same = true;
    for (const a of values) for (const b of values) if (sign(a.real, b.real) !== sign(a.sim, b.sim)) same = false;
    return { metric, stat, real: names(real), sim: names(sim), same, real_min_gap: gap };
  });
}
