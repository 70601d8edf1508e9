// A single-consumer queue that an async iterator drains: the engine loop pushes deltas, the
// request's consumer awaits them. Ends after `close()` once every pushed item is taken.
//
// The iterator is written by hand rather than as an async generator: every token of every
// stream passes through one of these (in the engine and again in the manager), and a generator
// costs a resumption and several promises per item where this costs one promise (bench:serve
// section 2b).

type Waiter<T> = { resolve: (r: IteratorResult<T>) => void; reject: (err: unknown) => void };

const DONE: IteratorResult<never> = Object.freeze({ value: undefined, done: true });

export class AsyncQueue<T> implements AsyncIterable<T>, AsyncIterator<T> {
  #items: T[] = [];
  #head = 0;
  #closed = false;
  #error: unknown = undefined;
  /** The consumer stopped (its loop broke, or the error was delivered): nothing more is kept or given. */
  #finished = false;
  #waiter: Waiter<T> | undefined;

  push(item: T): void {
    if (this.#closed || this.#finished) return;
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter.resolve({ value: item, done: false });
      return;
    }
    this.#items.push(item);
  }

  close(error?: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#error = error;
    const waiter = this.#waiter;
    if (waiter === undefined) return;
    this.#waiter = undefined;
    this.#settleEnd(waiter);
  }

  get closed(): boolean {
    return this.#closed;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#head < this.#items.length) {
      const value = this.#items[this.#head++]!;
      if (this.#head === this.#items.length) {
        this.#items = [];
        this.#head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.#finished) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      if (this.#closed) this.#settleEnd(waiter);
      else this.#waiter = waiter;
    });
  }

  /** The consumer's loop ended early (break, return, throw): later items are dropped. */
  return(): Promise<IteratorResult<T>> {
    this.#finish();
    return Promise.resolve(DONE);
  }

  /** Every item was taken and the queue is closed: the end, or the error it was closed with (once). */
  #settleEnd(waiter: Waiter<T>): void {
    const error = this.#error;
    this.#finish();
    if (error !== undefined) waiter.reject(error);
    else waiter.resolve(DONE);
  }

  #finish(): void {
    this.#finished = true;
    this.#items = [];
    this.#head = 0;
  }
}
