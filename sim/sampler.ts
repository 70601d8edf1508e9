import type { InstanceSample } from '../metrics/index.ts';

/**
 * Keeps instance samples within a row budget whatever the run's length: a 35-day trace or a
 * 10 µs interval would otherwise fill the heap. When the budget is exceeded, the interval
 * doubles and the ticks off the new grid are dropped (ticks stay on one grid from t = 0), as
 * many times as needed; summary.json reports the interval actually used.
 */
export class InstanceSampler {
  private ticks: InstanceSample[][] = [];
  /** Each kept tick's number, in requested intervals since t = 0. */
  private numbers: number[] = [];
  private current = 0;
  private step = 1;
  private rowCount = 0;
  /** How many times the interval was doubled. */
  coarsened = 0;

  constructor(
    readonly requested_interval_s: number,
    readonly max_rows: number,
  ) {}

  get rows(): number {
    return this.rowCount;
  }

  get interval_s(): number {
    return this.requested_interval_s * this.step;
  }

  /** Records the tick due now; returns the delay until the next one. */
  record(tick: InstanceSample[]): number {
    this.ticks.push(tick);
    this.numbers.push(this.current);
    this.rowCount += tick.length;
    while (this.rowCount > this.max_rows && this.ticks.length > 1) {
      this.step *= 2;
      this.coarsened++;
      const keep = this.numbers.map((n) => n % this.step === 0);
      this.ticks = this.ticks.filter((_, i) => keep[i]);
      this.numbers = this.numbers.filter((_, i) => keep[i]);
      this.rowCount = this.ticks.reduce((n, t) => n + t.length, 0);
    }
    const next = (Math.floor(this.current / this.step) + 1) * this.step;
    // Without coarsening this is exactly one requested interval, as before the budget existed.
    const delay = (next - this.current) * this.requested_interval_s;
    this.current = next;
    return delay;
  }

  samples(): InstanceSample[] {
    return this.ticks.flat();
  }
}
