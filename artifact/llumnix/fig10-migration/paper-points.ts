import type { Fig10PlotRow } from './plot.ts';

/**
 * The values plotted in the paper's Fig. 10 (reference/llumnix.md §4.3, read from the paper's
 * figure), drawn as hollow marks beside ours. Data only; the 7B rows were the calibration set.
 */
const L = [256, 512, 1024, 2048, 4096, 8192] as const;
const SERIES: readonly [Fig10PlotRow['panel'], string, string, readonly number[]][] = [
  ['downtime', 'Migration', 'LLaMA-7B', [13, 12, 15, 16, 22, 26]],
  ['downtime', 'Migration', 'LLaMA-30B', [23, 31, 32, 35, 36, 49]],
  ['downtime', 'Blocking copy', 'LLaMA-7B', [68, 129, 226, 451, 909, 1682]],
  ['downtime', 'Blocking copy', 'LLaMA-30B', [123, 221, 407, 744, 1349, 2760]],
  ['downtime', 'Recompute', 'LLaMA-7B', [58, 110, 220, 436, 940, 1995]],
  ['downtime', 'Recompute', 'LLaMA-30B', [115, 235, 443, 829, 1712, 3546]],
  ['decode', 'Migration', 'LLaMA-7B', [53.6, 47.8, 45.5, 44.7, 44.0, 44.5]],
  ['decode', 'Normal', 'LLaMA-7B', [52.0, 47.0, 44.3, 43.6, 43.3, 43.5]],
  ['decode', 'Migration', 'LLaMA-30B', [67.2, 63.2, 61.0, 59.8, 62.5, 67.6]],
  ['decode', 'Normal', 'LLaMA-30B', [65.7, 61.8, 59.2, 58.9, 60.6, 65.8]],
];

export const FIG10_PAPER_POINTS: readonly Fig10PlotRow[] = SERIES.flatMap(([panel, series, model, values]) =>
  values.map((ms, i) => ({ panel, series, model, length: L[i] ?? 0, ms, source: 'paper' })),
);
