import type { Rng } from '../request.ts';
import { cumulativeWeights, sampleIndex } from '../sampling.ts';

/**
 * Llumnix's synthetic length generator (benchmark `gen_random_response_lens`, "zipf"): draw k
 * from {1, …, 2·mean − 1} with P(k) ∝ k^−α, then rescale the whole batch so its sample mean is
 * exactly `mean`, ceil, and cap at `range`. The rescaling is why the distribution's minimum is
 * far above 1 (38 for mean 128): every draw is multiplied by mean / sample-mean.
 */

/** The exponent Llumnix hard-codes per target mean; any other mean uses 1.0. */
export function llumnixZipfAlpha(meanTokens: number): number {
  switch (meanTokens) {
    case 128:
      return 2.0;
    case 256:
      return 1.5;
    case 512:
      return 1.15;
    case 1024:
      return 1.0005;
    default:
      return 1.0;
  }
}

export interface ZipfParams {
  readonly mean_tokens: number;
  readonly range_tokens: number;
  readonly alpha: number;
}

/** n lengths, consuming exactly n uniforms; the batch must be drawn at once because of the rescaling. */
export function sampleZipfLengths(params: ZipfParams, n: number, rng: Rng): number[] {
  if (n === 0) return [];
  const support = Math.max(1, Math.floor(2 * params.mean_tokens - 1));
  const weights = Array.from({ length: support }, (_, i) => Math.pow(i + 1, -params.alpha));
  const cdf = cumulativeWeights(weights);
  const draws = new Array<number>(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const k = sampleIndex(cdf, rng) + 1;
    draws[i] = k;
    sum += k;
  }
  const scale = params.mean_tokens / (sum / n);
  // The cap is Llumnix's own `--range` truncation, part of the distribution's definition.
  return draws.map((k) => Math.min(params.range_tokens, Math.ceil(k * scale)));
}
