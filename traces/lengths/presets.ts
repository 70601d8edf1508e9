import type { Interpolation, QuantileKnots } from './quantiles.ts';

/**
 * "ShareGPT-like" and "BurstGPT-like" length distributions matched to Llumnix's Table 1
 * (P50/P80/P95/P99 and mean of the ShareGPT-GPT4 and BurstGPT GPT-4 conversation sets). The
 * table gives no P0/P100, so the endpoints below are chosen to reproduce the table's mean:
 *
 * | preset | knots P50/P80/P95/P99 | P0 | P100 | interp. | mean (table) | mean (knots) |
 * |---|---|---|---|---|---|---|
 * | sharegpt_prompt | 74/348/1484/3388 | 1 | 3500 | log | 306 | 305.8 |
 * | sharegpt_output | 487/781/988/1234 | 1 | 1500 | linear | 500 | 503.0 |
 * | burstgpt_prompt | 474/1025/1790/2613 | 6 | 6144 | log | 603 | 602.0 |
 * | burstgpt_output | 165/440/932/1284 | 1 | 6144 | log | 271 | 273.5 |
 *
 * Why: the prompt sets are right-skewed (mean ≫ median), so straight lines between the sparse
 * knots overshoot the mean by ~10 % (ShareGPT prompt ≥ 334 for any P0/P100); geometric
 * interpolation fits, and it forces a short tail above P99 for ShareGPT prompts (P100 3500).
 * 6144 is the cap Llumnix applies to BurstGPT lengths. ShareGPT outputs are nearly symmetric
 * (mean ≈ median), so linear fits; even P100 = P99 leaves it 0.3 % above 500.
 */
export interface QuantilePreset {
  readonly knots: QuantileKnots;
  readonly interpolation: Interpolation;
  /** The mean Llumnix's Table 1 reports, for tests and docs. */
  readonly table_mean_tokens: number;
}

function knots(p0: number, q: readonly [number, number, number, number], p100: number): QuantileKnots {
  return [
    [0, p0],
    [0.5, q[0]],
    [0.8, q[1]],
    [0.95, q[2]],
    [0.99, q[3]],
    [1, p100],
  ];
}

export const QUANTILE_PRESETS = {
  sharegpt_prompt: { knots: knots(1, [74, 348, 1484, 3388], 3500), interpolation: 'log', table_mean_tokens: 306 },
  sharegpt_output: { knots: knots(1, [487, 781, 988, 1234], 1500), interpolation: 'linear', table_mean_tokens: 500 },
  burstgpt_prompt: { knots: knots(6, [474, 1025, 1790, 2613], 6144), interpolation: 'log', table_mean_tokens: 603 },
  burstgpt_output: { knots: knots(1, [165, 440, 932, 1284], 6144), interpolation: 'log', table_mean_tokens: 271 },
} as const satisfies Record<string, QuantilePreset>;

export type QuantilePresetName = keyof typeof QUANTILE_PRESETS;
export const QUANTILE_PRESET_NAMES = Object.keys(QUANTILE_PRESETS) as [QuantilePresetName, ...QuantilePresetName[]];
