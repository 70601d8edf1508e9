// Does the simulator rank the policies as the real fleet does? For each metric and statistic,
// the policies ordered by the real value and by the simulated one, and — where the real fleet
// was replayed more than once per policy — which of the real orderings are larger than the
// run-to-run noise: a ranking claim is made only for those.
import type { MetricComparison, Stats } from './report.ts';

export interface PolicyResult {
  readonly policy: string;
  readonly metrics: readonly MetricComparison[];
  /**
   * The real statistics of every replay of this policy (metric name → stats), the first being
   * the one in `metrics`. Two or more measure the run-to-run noise; absent, one replay.
   */
  readonly real_runs?: readonly Readonly<Record<string, Stats>>[];
}

/** Two policies in the real order, and whether the real gap between them is resolvable. */
export interface RankedPair {
  readonly better: string;
  readonly worse: string;
  /** (worse − better) / better over the real values (means over the replays). */
  readonly real_gap: number;
  /** The same difference in the simulator (negative: it ranks them the other way round). */
  readonly sim_gap: number;
  /** real_gap > the metric's noise; undefined when the noise was not measured (one replay). */
  readonly resolved: boolean | undefined;
  /** The simulator puts `better` strictly ahead of `worse`. */
  readonly sim_agrees: boolean;
}

/**
 * same: every pair the real runs resolve is ordered alike in the simulator (and at least one
 * is); differs: at least one resolved pair is swapped or tied in the simulator; unresolved:
 * no real gap exceeds the noise; unmeasured: one replay per policy, the noise is unknown.
 */
export type RankingVerdict = 'same' | 'differs' | 'unresolved' | 'unmeasured';

export interface Ranking {
  readonly metric: string;
  readonly stat: keyof Stats;
  /** Best (lowest) first. */
  readonly real: readonly string[];
  readonly sim: readonly string[];
  /** The whole order alike in both worlds (ties only where both tie), noise or not. */
  readonly same: boolean;
  /** Smallest relative gap between neighbours in the real order: below the noise, a swap says little. */
  readonly real_min_gap: number;
  /** Real replays per policy behind these values. */
  readonly real_runs: number;
  /**
   * Run-to-run noise: the largest (max − min) / min of this statistic over one policy's real
   * replays, over all policies. NaN with one replay.
   */
  readonly noise: number;
  readonly pairs: readonly RankedPair[];
  readonly verdict: RankingVerdict;
}

export const RANKED: readonly { readonly metric: string; readonly stat: keyof Stats }[] = [
  { metric: 'TTFT', stat: 'mean' },
  { metric: 'TTFT', stat: 'p99' },
  { metric: 'TPOT', stat: 'mean' },
  { metric: 'E2E', stat: 'mean' },
  { metric: 'E2E', stat: 'p99' },
];

const average = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

function realValues(r: PolicyResult, metric: string, stat: keyof Stats): number[] {
  const runs = r.real_runs ?? [];
  if (runs.length === 0) {
    const m = r.metrics.find((x) => x.metric === metric);
    if (m === undefined) throw new Error(`policy ${r.policy} has no ${metric} comparison`);
    return [m.real[stat]];
  }
  return runs.map((run, i) => {
    const s = run[metric];
    if (s === undefined) throw new Error(`policy ${r.policy}: real replay ${i + 1} has no ${metric} statistics`);
    return s[stat];
  });
}

export function rankPolicies(results: readonly PolicyResult[]): Ranking[] {
  const runs = new Set(results.map((r) => Math.max(1, r.real_runs?.length ?? 1)));
  if (runs.size > 1) throw new Error(`policies were replayed a different number of times (${[...runs].join(', ')}); the noise needs the same count for each`);
  const realRuns = [...runs][0] ?? 1;
  return RANKED.map(({ metric, stat }) => {
    let noise = realRuns < 2 ? Number.NaN : 0;
    const values = results.map((r) => {
      const m = r.metrics.find((x) => x.metric === metric);
      if (m === undefined) throw new Error(`policy ${r.policy} has no ${metric} comparison`);
      const reals = realValues(r, metric, stat);
      if (realRuns >= 2) noise = Math.max(noise, (Math.max(...reals) - Math.min(...reals)) / Math.min(...reals));
      return { policy: r.policy, real: average(reals), sim: m.sim[stat] };
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
    const pairs: RankedPair[] = [];
    for (let i = 0; i < real.length; i++) {
      for (let j = i + 1; j < real.length; j++) {
        const better = real[i] as (typeof values)[number];
        const worse = real[j] as (typeof values)[number];
        const real_gap = (worse.real - better.real) / better.real;
        pairs.push({
          better: better.policy, worse: worse.policy, real_gap, sim_gap: (worse.sim - better.sim) / better.sim,
          resolved: Number.isNaN(noise) ? undefined : real_gap > noise, sim_agrees: sign(worse.sim, better.sim) > 0,
        });
      }
    }
    const resolved = pairs.filter((p) => p.resolved === true);
    const verdict: RankingVerdict = Number.isNaN(noise) ? 'unmeasured' : resolved.length === 0 ? 'unresolved' : resolved.every((p) => p.sim_agrees) ? 'same' : 'differs';
    return { metric, stat, real: names(real), sim: names(sim), same, real_min_gap: gap, real_runs: realRuns, noise, pairs, verdict };
  });
}
