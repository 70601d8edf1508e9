/**
 * The ideal core's pending events: the simulator's 4-ary min-heap over (time, order)
 * (sim/kernel/event-queue.ts) with an integer payload (instance × kinds + kind) in a third typed
 * array instead of event objects, so neither a sift nor a pop loads an object. Keys are unique (order carries a
 * sequence number), so any correct heap pops the same sequence.
 */
export class EventHeap {
  #time: Float64Array;
  #order: Float64Array;
  #payload: Int32Array;
  #size = 0;

  constructor(capacity: number) {
    this.#time = new Float64Array(capacity);
    this.#order = new Float64Array(capacity);
    this.#payload = new Int32Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Time of the earliest event (the heap must not be empty). */
  get topTime(): number {
    return this.#time[0] as number;
  }

  get topOrder(): number {
    return this.#order[0] as number;
  }

  get topPayload(): number {
    return this.#payload[0] as number;
  }

  push(t: number, o: number, payload: number): void {
    if (this.#size === this.#time.length) this.#grow();
    const time = this.#time;
    const order = this.#order;
    const payloads = this.#payload;
    let at = this.#size++;
    while (at > 0) {
      const parent = (at - 1) >> 2;
      const pt = time[parent] as number;
      if (pt < t || (pt === t && (order[parent] as number) < o)) break;
      time[at] = pt;
      order[at] = order[parent] as number;
      payloads[at] = payloads[parent] as number;
      at = parent;
    }
    time[at] = t;
    order[at] = o;
    payloads[at] = payload;
  }

  /** Removes the earliest event (read it first with `top…`). */
  pop(): void {
    const last = --this.#size;
    if (last === 0) return;
    const time = this.#time;
    const order = this.#order;
    const payloads = this.#payload;
    const t = time[last] as number;
    const o = order[last] as number;
    const payload = payloads[last] as number;
    let at = 0;
    for (;;) {
      const first = 4 * at + 1;
      if (first >= last) break;
      let best = first;
      let bt = time[first] as number;
      let bo = order[first] as number;
      const end = Math.min(first + 4, last);
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
      payloads[at] = payloads[best] as number;
      at = best;
    }
    time[at] = t;
    order[at] = o;
    payloads[at] = payload;
  }

  #grow(): void {
    const n = this.#time.length * 2;
    const time = new Float64Array(n);
    time.set(this.#time);
    this.#time = time;
    const order = new Float64Array(n);
    order.set(this.#order);
    this.#order = order;
    const payload = new Int32Array(n);
    payload.set(this.#payload);
    this.#payload = payload;
  }
}
