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
  /**
   * A run of equal gaps not yet in the sketch (a decode batch emits the same gap for every
   * sequence in it): it enters as one weighted accept, which leaves the sketch's bins, count,
   * min and max, and so every percentile, exactly as one accept per gap would, while the
   * logarithm of the key mapping is taken once per run instead of once per token.
   */
  #runValue = Number.NaN;
  #runCount = 0;

  /** Adds one gap. Milliseconds. */
  add(gap_ms: number): void {
    if (gap_ms === this.#runValue) this.#runCount++;
    else {
      this.#flush();
      this.#runValue = gap_ms;
      this.#runCount = 1;
    }
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
    if (this.#count === 0) return 0;
    this.#flush();
    return this.#sketch.getValueAtQuantile(q);
  }

  /**
   * Folds `other`'s gaps into these, as if each had been added here (pooling runs): the sketches
   * merge bin by bin (same relative accuracy, so percentiles keep their guarantee), and mean and
   * std combine exactly (Chan et al.'s pairwise update).
   */
  merge(other: TokenGaps): void {
    this.#flush();
    other.#flush();
    this.#sketch.merge(other.#sketch);
    const n = this.#count + other.#count;
    if (n === 0) return;
    const delta = other.#mean - this.#mean;
    this.#m2 += other.#m2 + (delta * delta * this.#count * other.#count) / n;
    this.#mean += (delta * other.#count) / n;
    this.#count = n;
  }

  #flush(): void {
    // A NaN gap never equals the run's value, so it is accepted on its own, as before.
    if (this.#runCount > 0) this.#sketch.accept(this.#runValue, this.#runCount);
    this.#runCount = 0;
  }
}
