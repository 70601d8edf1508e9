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
  /** Pre-sorted batches of events waiting outside the heap but for their head (see `atEach`). */
  readonly #streams: EventStream[] = [];
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
    let n = this.#queue.size;
    // A stream's head is in the queue already.
    for (const s of this.#streams) n += Math.max(0, s.remaining - 1);
    return n;
  }

  /** Schedules `run` at absolute time `time_s` (never in the past). */
  at(time_s: number, band: Band, run: () => void): void {
    if (!(time_s >= this.#now_s)) {
      throw new Error(`cannot schedule at ${time_s} s: now is ${this.#now_s} s (or time is NaN)`);
    }
    this.#queue.push(new RecurringEvent(band, callIt, run).queuedAt(time_s, this.#seq++));
  }

  /**
   * Queues the next occurrence of a recurring event at `time_s`: the same order as `at` with
   * its handler (it takes the next sequence number now), without a new event object.
   */
  atRecurring<T>(event: RecurringEvent<T>, time_s: number): void {
    if (!(time_s >= this.#now_s)) {
      throw new Error(`cannot schedule at ${time_s} s: now is ${this.#now_s} s (or time is NaN)`);
    }
    if (event.queued) throw new Error(`a recurring event (band ${event.band}) is queued twice: its earlier occurrence at ${event.time_s} s has not run yet`);
    this.#queue.push(event.queuedAt(time_s, this.#seq++));
  }

  /** Schedules `run` after `delay_s` seconds. */
  after(delay_s: number, band: Band, run: () => void): void {
    this.at(this.#now_s + delay_s, band, run);
  }

  /**
   * Schedules `run(item)` at `time(item)` for every item, in `band`: the same events, in the
   * same order, as calling `at` for each item in turn. When the times never decrease (a
   * workload's arrivals) the events wait in `items` and enter the queue one at a time, so a
   * million arrivals hold no million queued events and closures for the garbage collector to
   * trace; otherwise each is queued now. With `consume`, the caller hands `items` over: each
   * slot is cleared once its event has run, so what it held can be collected during the run.
   */
  atEach<T>(items: readonly T[], time: (item: T) => number, band: Band, run: (item: T) => void, options: { readonly consume?: boolean } = {}): void {
    let sorted = true;
    let previous = this.#now_s;
    for (const item of items) {
      const t = time(item);
      if (!(t >= previous)) {
        sorted = false;
        break;
      }
      previous = t;
    }
    if (!sorted) {
      for (const item of items) this.at(time(item), band, () => run(item));
      return;
    }
    if (items.length === 0) return;
    const stream = new EventStream(items, time, band, run, this.#seq, options.consume === true, this.#queue, () => this.#streams.splice(this.#streams.indexOf(stream), 1));
    this.#streams.push(stream);
    this.#seq += items.length;
    stream.queueHead();
  }

  peek(): QueuedEvent | undefined {
    return this.#queue.peek();
  }

  /** Runs the next event; false when the queue is empty. */
  step(): boolean {
    const event = this.#queue.peek();
    if (event === undefined) return false;
    this.#execute(event);
    return true;
  }

  /** Takes `event`, the one at the top of the queue, out of it and runs it. */
  #execute(event: QueuedEvent): void {
    this.#queue.pop();
    this.#now_s = event.time_s;
    this.#executed++;
    // Every event the kernel queues is a RecurringEvent (see there).
    (event as RecurringEvent).queued = false;
    event.run();
  }

  /** Runs events until the queue is empty or the next one is later than `until_s`. */
  run(options: { until_s?: number; afterEach?: () => void } = {}): void {
    const until = options.until_s ?? Infinity;
    const afterEach = options.afterEach;
    // One look for the next event per event (peek then step would look twice).
    for (;;) {
      const next = this.#queue.peek();
      if (next === undefined || next.time_s > until) break;
      this.#execute(next);
      if (afterEach !== undefined) afterEach();
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

/** The handler of one-off events: their target is the function to run. */
function callIt(run: () => void): void {
  run();
}

/**
 * An event its owner queues again and again, one occurrence at a time (an instance's step
 * start, its step end): one object for the whole run instead of one event per occurrence,
 * millions of which the garbage collector would otherwise chase. Queue it with
 * `Simulation.atRecurring`; queuing it again before it has run is an error. It is also the
 * kernel's only event class (`at` makes a fresh one per call), so the event heap compares and
 * runs objects of one shape.
 */
export class RecurringEvent<T = unknown> implements QueuedEvent {
  time_s = 0;
  seq = 0;
  /** Whether an occurrence is queued and has not run yet. */
  queued = false;

  /**
   * Running it calls `handler(target)`. The owner's handler can be one function shared by all
   * its events (the cluster's step end, for every instance): with thousands of instances a
   * closure per event was two more cold loads (the closure, its context) before the handler
   * reached its instance; the target sits in the event object the kernel has just read.
   */
  constructor(
    readonly band: Band,
    readonly handler: (target: T) => void,
    readonly target: T,
  ) {}

  run(): void {
    this.handler(this.target);
  }

  /** Marks it queued at (time_s, seq); the kernel then pushes it. */
  queuedAt(time_s: number, seq: number): this {
    this.time_s = time_s;
    this.seq = seq;
    this.queued = true;
    return this;
  }
}

/**
 * Events of `atEach` in time order, with their reserved seq numbers: only the head is in the
 * event queue; running it queues the next item's event first (its key is later or equal and
 * its seq reserved, so the order is that of queuing them all up front).
 */
class EventStream {
  #index = 0;

  constructor(
    readonly items: readonly unknown[],
    readonly time: (item: never) => number,
    readonly band: Band,
    readonly run: (item: never) => void,
    readonly firstSeq: number,
    readonly consume: boolean,
    readonly queue: EventQueue,
    readonly ended: () => void,
  ) {}

  get remaining(): number {
    return this.items.length - this.#index;
  }

  /** Queues the event of the item at the head, if any is left; the stream ends otherwise. */
  queueHead(): void {
    const index = this.#index;
    if (index >= this.items.length) {
      this.ended();
      return;
    }
    const item = this.items[index] as never;
    const event = new RecurringEvent(this.band, callIt, () => {
      if (this.consume) (this.items as unknown[])[index] = undefined;
      this.#index++;
      this.queueHead();
      this.run(item);
    });
    this.queue.push(event.queuedAt(this.time(item), this.firstSeq + index));
  }
}
