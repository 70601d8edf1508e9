import { type Band, EventQueue, type QueuedEvent } from './event-queue.ts';
import { RngStreams } from './rng.ts';

/**
 * The kernel: owns virtual time, the event queue, id counters and random streams. Nothing of
 * this lives at module level, so two simulations in one process never share state and give
 * identical ids and results for identical inputs.
 */
export class Simulation {
  #now_s = 0;
  #seq = 0;
  #executed = 0;
  readonly #queue = new EventQueue();
  readonly #ids = new Map<string, number>();
  readonly rng: RngStreams;

  constructor(seed: number) {
    this.rng = new RngStreams(seed);
  }

  get now_s(): number {
    return this.#now_s;
  }

  /** Events executed so far. */
  get executed(): number {
    return this.#executed;
  }

  get pending(): number {
    return this.#queue.size;
  }

  /** Schedules `run` at absolute time `time_s` (never in the past). */
  at(time_s: number, band: Band, run: () => void): void {
    if (!(time_s >= this.#now_s)) {
      throw new Error(`cannot schedule at ${time_s} s: now is ${this.#now_s} s (or time is NaN)`);
    }
    this.#queue.push({ time_s, band, seq: this.#seq++, run });
  }

  /** Schedules `run` after `delay_s` seconds. */
  after(delay_s: number, band: Band, run: () => void): void {
    this.at(this.#now_s + delay_s, band, run);
  }

  peek(): QueuedEvent | undefined {
    return this.#queue.peek();
  }

  /** Runs the next event; false when the queue is empty. */
  step(): boolean {
    const event = this.#queue.pop();
    if (event === undefined) return false;
    this.#now_s = event.time_s;
    this.#executed++;
    event.run();
    return true;
  }

  /** Runs events until the queue is empty or the next one is later than `until_s`. */
  run(options: { until_s?: number; afterEach?: () => void } = {}): void {
    const until = options.until_s ?? Infinity;
    for (;;) {
      const next = this.#queue.peek();
      if (next === undefined || next.time_s > until) break;
      this.step();
      options.afterEach?.();
    }
    if (Number.isFinite(until) && until > this.#now_s) this.#now_s = until;
  }

  /** Next id of a named counter ("request", "migration", …), starting at 0. */
  nextId(counter: string): number {
    const id = this.#ids.get(counter) ?? 0;
    this.#ids.set(counter, id + 1);
    return id;
  }
}
