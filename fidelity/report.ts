// Simulated vs real, per metric: mean, P50, P90, P99 of TTFT, TPOT, ITL and E2E, throughput, and
// the relative error (simulated − real) / real of each.
import { quantileSorted } from 'simple-statistics';

export interface Stats {
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

export interface MetricComparison {
  readonly metric: string;
  readonly real: Stats;
  readonly sim: Stats;
  readonly rel_error: Stats;
}

export function stats(values: readonly number[]): Stats {
  if (values.length === 0) return { mean: Number.NaN, p50: Number.NaN, p90: Number.NaN, p99: Number.NaN };
  const s = [...values].sort((a, b) => a - b);
  return { mean: s.reduce((a, b) => a + b, 0) / s.length, p50: quantileSorted(s, 0.5), p90: quantileSorted(s, 0.9), p99: quantileSorted(s, 0.99) };
}

export function compare(metric: string, real: readonly number[], sim: readonly number[]): MetricComparison {
  return compareStats(metric, stats(real), stats(sim));
}

export function compareStats(metric: string, r: Stats, s: Stats): MetricComparison {
  const err = (k: keyof Stats): number => (s[k] - r[k]) / r[k];
  return { metric, real: r, sim: s, rel_error: { mean: err('mean'), p50: err('p50'), p90: err('p90'), p99: err('p99') } };
}

const pct = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %` : 'n/a');
const ms = (x: number): string => (Number.isFinite(x) ? (x * 1e3).toFixed(1) : 'n/a');

/**
 * `ablations`: the same comparison with one term of the model off each, as extra error columns.
 * `realRuns`: every real replay's statistics (the first is the table's `real`); from two on, the
 * table adds the range over the replays and whether the simulated value lies inside it, so an
 * error reads against the real run-to-run noise.
 */
export function markdownTable(
  rows: readonly MetricComparison[],
  ablations: readonly { readonly without: string; readonly metrics: readonly MetricComparison[] }[] = [],
  realRuns: readonly Record<string, Stats>[] = [],
): string {
  const ranged = realRuns.length >= 2;
  const lines = [
    `| metric | stat | real (ms) | simulated (ms) | error |${ranged ? ` real over ${realRuns.length} replays (ms) | simulated within |` : ''}${ablations.map((a) => ` error without ${a.without} |`).join('')}`,
    `|---|---|---|---|---|${ranged ? '---|---|' : ''}${ablations.map(() => '---|').join('')}`,
  ];
  for (const [i, row] of rows.entries()) {
    for (const k of ['mean', 'p50', 'p90', 'p99'] as const) {
      const values = realRuns.map((run) => run[row.metric]?.[k]).filter((v): v is number => v !== undefined && Number.isFinite(v));
      const range = ranged && values.length === realRuns.length
        ? ` ${ms(Math.min(...values))}–${ms(Math.max(...values))} | ${row.sim[k] >= Math.min(...values) && row.sim[k] <= Math.max(...values) ? 'yes' : 'no'} |`
        : ranged ? ' n/a | |' : '';
      lines.push(`| ${row.metric} | ${k} | ${ms(row.real[k])} | ${ms(row.sim[k])} | ${pct(row.rel_error[k])} |${range}${ablations.map((a) => ` ${pct(a.metrics[i]?.rel_error[k] ?? Number.NaN)} |`).join('')}`);
    }
  }
  return lines.join('\n');
}

/**
 * Of the table's statistics (metric × mean/P50/P90/P99), how many the simulator put inside the
 * real replays' range, and of how many a range exists (two or more replays); undefined with one.
 */
export function withinRealRange(rows: readonly MetricComparison[], realRuns: readonly Record<string, Stats>[]): { readonly within: number; readonly of: number } | undefined {
  if (realRuns.length < 2) return undefined;
  let within = 0;
  let of = 0;
  for (const row of rows) {
    for (const k of ['mean', 'p50', 'p90', 'p99'] as const) {
      const values = realRuns.map((run) => run[row.metric]?.[k]).filter((v): v is number => v !== undefined && Number.isFinite(v));
      if (values.length !== realRuns.length) continue;
      of++;
      if (row.sim[k] >= Math.min(...values) && row.sim[k] <= Math.max(...values)) within++;
    }
  }
  return { within, of };
}
