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

/** `ablations`: the same comparison with one term of the model off each, as extra error columns. */
export function markdownTable(rows: readonly MetricComparison[], ablations: readonly { readonly without: string; readonly metrics: readonly MetricComparison[] }[] = []): string {
  const lines = [
    `| metric | stat | real (ms) | simulated (ms) | error |${ablations.map((a) => ` error without ${a.without} |`).join('')}`,
    `|---|---|---|---|---|${ablations.map(() => '---|').join('')}`,
  ];
  for (const [i, row] of rows.entries()) {
    for (const k of ['mean', 'p50', 'p90', 'p99'] as const) {
      lines.push(`| ${row.metric} | ${k} | ${ms(row.real[k])} | ${ms(row.sim[k])} | ${pct(row.rel_error[k])} |${ablations.map((a) => ` ${pct(a.metrics[i]?.rel_error[k] ?? Number.NaN)} |`).join('')}`);
    }
  }
  return lines.join('\n');
}
