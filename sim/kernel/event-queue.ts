import FastPriorityQueue from 'fastpriorityqueue';

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

export class EventQueue {
  readonly #heap = new FastPriorityQueue<QueuedEvent>(eventBefore);

  push(event: QueuedEvent): void {
    this.#heap.add(event);
  }

  peek(): QueuedEvent | undefined {
    return this.#heap.peek();
  }

  pop(): QueuedEvent | undefined {
    return this.#heap.poll();
  }

  get size(): number {
    return this.#heap.size;
  }
}
