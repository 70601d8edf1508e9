import { DDSketch } from '@datadog/sketches-js';
import type { SampleStats } from './vllm-keys.ts';

/**
 * Relative accuracy of the ITL percentiles: a reported percentile is within ±0.1 % of a value
 * whose rank is the one asked for (DDSketch's guarantee). Mean and std are exact.
 */
export const ITL_RELATIVE_ACCURACY = 0.001;

/**
 * Every gap between two consecutive tokens of a request (vLLM's inter-token latency, pooled over
 * all requests), folded in as it happens: a run has one gap per generated token, tens of
 * millions for a large run, too many to keep. Mean and population std are exact (Welford's
 * update, deterministic); percentiles come from a DDSketch (@datadog/sketches-js) whose memory
 * grows with log(max/min), not with the token count.
 */
export class TokenGaps implements SampleStats {
  readonly #sketch = new DDSketch({ relativeAccuracy: ITL_RELATIVE_ACCURACY });
  #count = 0;
  #mean = 0;
  #m2 = 0;

  /** Adds one gap. Milliseconds. */
  add(gap_ms: number): void {
    this.#sketch.accept(gap_ms);
    this.#count++;
    const delta = gap_ms - this.#mean;
    this.#mean += delta / this.#count;
    this.#m2 += delta * (gap_ms - this.#mean);
  }

  get count(): number {
    return this.#count;
  }

  get mean(): number {
    return this.#mean;
  }

  get std(): number {
    return this.#count === 0 ? 0 : Math.sqrt(this.#m2 / this.#count);
  }

  quantile(q: number): number {
    return this.#count === 0 ? 0 : this.#sketch.getValueAtQuantile(q);
  }
}
