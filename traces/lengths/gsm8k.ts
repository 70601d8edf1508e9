import type { QuantileKnots } from './quantiles.ts';

/**
 * "GSM8K-like" prompt and output lengths (tokens) for serverless experiments, as knots of an
 * inverse CDF to pass as `{ kind: 'quantiles', points }`. GSM8K questions are short grade-school
 * word problems (tens of tokens to ~200) and the worked answers a few hundred tokens at most;
 * the knots below are our approximation of that shape (not fitted to the dataset): prompt mean
 * ≈ 70, output mean ≈ 120 — ShareGPT-like requests (presets `sharegpt_prompt`/`sharegpt_output`,
 * output mean ≈ 500) run ≈ 4× longer, close to the paper's "3.7× longer inference".
 */
export const GSM8K_PROMPT_KNOTS: QuantileKnots = [
  [0, 20],
  [0.5, 64],
  [0.8, 90],
  [0.95, 125],
  [0.99, 170],
  [1, 250],
];

export const GSM8K_OUTPUT_KNOTS: QuantileKnots = [
  [0, 20],
  [0.5, 110],
  [0.8, 160],
  [0.95, 215],
  [0.99, 290],
  [1, 400],
];
