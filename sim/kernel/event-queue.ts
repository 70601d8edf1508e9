/**
 * Same-time events run in band order. The order is part of the model, so it is written here
 * once and pinned by a test:
 * - step ends first, so an instance's report is fresh before anything else looks at it;
 * - migration stages next (they read what the step just produced);
 * - arrivals then dispatch against the freshest reports;
 * - control (sampling, scaling) sees the state after arrivals;
 * - step starts last, so a batch formed at time t includes every request that arrived at t.
 */
export const Band = {
  stepEnd: 0,
  migration: 1,
  arrival: 2,
  control: 3,
  stepStart: 4,
} as const;
export type Band = (typeof Band)[keyof typeof Band];

export interface QueuedEvent {
  readonly time_s: number;
  readonly band: Band;
  /** Insertion order: the last tie-breaker, so equal (time, band) events run FIFO. */
  readonly seq: number;
  readonly run: () => void;
}

/** The one comparator of the simulator: (time, band, seq), lexicographic. */
export function eventBefore(a: QueuedEvent, b: QueuedEvent): boolean {
  if (a.time_s !== b.time_s) return a.time_s < b.time_s;
  if (a.band !== b.band) return a.band < b.band;
  return a.seq < b.seq;
}

/**
 * Band and sequence number folded into one exactly comparable number: (band, seq) compares
 * lexicographically as band · 2^48 + seq while seq < 2^48 (2.8 · 10^14 events: never reached;
 * `push` refuses beyond it rather than misorder).
 */
const BAND_SHIFT = 2 ** 48;

/**
 * The pending events, earliest first by `eventBefore`: a 4-ary min-heap whose keys live in two
 * typed arrays (time; band and seq folded into one number) beside the array of events, so a
 * sift compares numbers in contiguous memory instead of loading event objects scattered over the
 * heap (with thousands of instances the heap holds thousands of events and its comparisons were
 * cache misses: 10 % of a 4,096-instance profile). Keys are unique (seq), so the order of
 * execution is exactly that of any correct priority queue over `eventBefore`.
 *
 * An event pushed while it is earlier than everything queued waits in a front slot outside the
 * heap, and the next pop hands it out without a sift. That is the common case of the simulator's
 * busiest event: a step end queues its instance's next step start at the current time, which
 * is the next event to run whenever nothing else is due at that instant. Every other event
 * goes through the heap; the front event, when displaced by a still earlier one, goes back into
 * it. The order is unchanged: the front event precedes every event in the heap.
 */
export class EventQueue {
  #time = new Float64Array(64);
  #order = new Float64Array(64);
  #events: (QueuedEvent | undefined)[] = [];
  #size = 0;
  /** The front slot: an event earlier than every event in the heap, with its key. */
  #front: QueuedEvent | undefined;
  #frontTime = 0;
  #frontOrder = 0;

  push(event: QueuedEvent): void {
    if (!(event.seq < BAND_SHIFT)) throw new Error(`event queue: sequence number ${event.seq} is beyond ${BAND_SHIFT}, where (band, seq) no longer folds into one number`);
    const t = event.time_s;
    const o = event.band * BAND_SHIFT + event.seq;
    const front = this.#front;
    if (front === undefined) {
      // Earlier than the heap's top (or the heap is empty): it waits in front.
      if (this.#size === 0 || t < (this.#time[0] as number) || (t === this.#time[0] && o < (this.#order[0] as number))) {
        this.#setFront(event, t, o);
        return;
      }
    } else if (t < this.#frontTime || (t === this.#frontTime && o < this.#frontOrder)) {
      // Earlier still: the front event goes into the heap (it precedes all of it) and this one in front.
      this.#heapPush(front, this.#frontTime, this.#frontOrder);
      this.#setFront(event, t, o);
      return;
    }
    this.#heapPush(event, t, o);
  }

  peek(): QueuedEvent | undefined {
    if (this.#front !== undefined) return this.#front;
    return this.#size === 0 ? undefined : this.#events[0];
  }

  pop(): QueuedEvent | undefined {
    const front = this.#front;
    if (front !== undefined) {
      this.#front = undefined;
      return front;
    }
    const n = this.#size;
    if (n === 0) return undefined;
    const top = this.#events[0];
    const last = n - 1;
    this.#size = last;
    const event = this.#events[last] as QueuedEvent;
    this.#events[last] = undefined;
    if (last > 0) this.#down(this.#time[last] as number, this.#order[last] as number, event);
    else this.#events[0] = undefined;
    return top;
  }

  get size(): number {
    return this.#size + (this.#front === undefined ? 0 : 1);
  }

  #setFront(event: QueuedEvent, t: number, o: number): void {
    this.#front = event;
    this.#frontTime = t;
    this.#frontOrder = o;
  }

  #heapPush(event: QueuedEvent, t: number, o: number): void {
    if (this.#size === this.#time.length) this.#grow();
    this.#up(this.#size++, t, o, event);
  }

  #grow(): void {
    const time = new Float64Array(this.#time.length * 2);
    time.set(this.#time);
    this.#time = time;
    const order = new Float64Array(this.#order.length * 2);
    order.set(this.#order);
    this.#order = order;
  }

  /** Places (t, o, event) at `at` or above it: moves parents down while the new key is earlier. */
  #up(at: number, t: number, o: number, event: QueuedEvent): void {
    const time = this.#time;
    const order = this.#order;
    const events = this.#events;
    while (at > 0) {
      const parent = (at - 1) >> 2;
      const pt = time[parent] as number;
      if (pt < t || (pt === t && (order[parent] as number) < o)) break;
      time[at] = pt;
      order[at] = order[parent] as number;
      events[at] = events[parent];
      at = parent;
    }
    time[at] = t;
    order[at] = o;
    events[at] = event;
  }

  /** Places (t, o, event) from the root down: moves the earliest child up while it is earlier. */
  #down(t: number, o: number, event: QueuedEvent): void {
    const time = this.#time;
    const order = this.#order;
    const events = this.#events;
    const n = this.#size;
    let at = 0;
    for (;;) {
      const first = 4 * at + 1;
      if (first >= n) break;
      let best = first;
      let bt = time[first] as number;
      let bo = order[first] as number;
      const end = Math.min(first + 4, n);
      for (let c = first + 1; c < end; c++) {
        const ct = time[c] as number;
        if (ct < bt || (ct === bt && (order[c] as number) < bo)) {
          best = c;
          bt = ct;
          bo = order[c] as number;
        }
      }
      if (t < bt || (t === bt && o < bo)) break;
      time[at] = bt;
      order[at] = bo;
      events[at] = events[best];
      at = best;
    }
    time[at] = t;
    order[at] = o;
    events[at] = event;
  }
}
