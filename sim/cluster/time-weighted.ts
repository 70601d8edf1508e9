/** Integrates a piecewise-constant value over time (e.g. the number of live instances). */
export class TimeWeighted {
  #value: number;
  #since_s: number;
  #area = 0;
  readonly #start_s: number;

  constructor(value: number, now_s: number) {
    this.#value = value;
    this.#since_s = now_s;
    this.#start_s = now_s;
  }

  set(value: number, now_s: number): void {
    this.#area += this.#value * (now_s - this.#since_s);
    this.#value = value;
    this.#since_s = now_s;
  }

  /** Time-average from the start to `now_s` (the current value when no time has passed). */
  average(now_s: number): number {
    const span = now_s - this.#start_s;
    if (span <= 0) return this.#value;
    return (this.#area + this.#value * (now_s - this.#since_s)) / span;
  }
}
