/**
 * The ideal core's `load` dispatch: an indexed binary max-heap of instances over typed arrays,
 * ordered as the framework's `best` (highest score, then fewest dispatched, then lowest id).
 * A report re-scores one instance and a dispatch bumps one count: O(log n) each, no objects.
 *
 * Warm-up as `load` dispatch's (policies/dispatch/load.ts): until every instance has reported
 * once, scores are not used (all rank equal: fewest dispatched, then lowest id); the reports
 * that came in meanwhile are kept and take effect together with the last instance's first.
 */
export class DispatchHeap {
  readonly #score: Float64Array;
  readonly #dispatched: Float64Array;
  readonly #heap: Int32Array;
  readonly #position: Int32Array;
  /** Scores reported during warm-up, and whether each instance has reported yet. */
  readonly #pending: Float64Array;
  readonly #reported: Uint8Array;
  #unreported: number;

  constructor(instances: number) {
    this.#score = new Float64Array(instances).fill(Number.POSITIVE_INFINITY);
    this.#pending = new Float64Array(instances).fill(Number.POSITIVE_INFINITY);
    this.#reported = new Uint8Array(instances);
    this.#unreported = instances;
    this.#dispatched = new Float64Array(instances);
    this.#heap = new Int32Array(instances);
    this.#position = new Int32Array(instances);
    for (let i = 0; i < instances; i++) {
      this.#heap[i] = i;
      this.#position[i] = i;
    }
  }

  /** The instance dispatch chooses now. */
  get best(): number {
    return this.#heap[0] as number;
  }

  /** A new report: the instance's score is `score` from now on. */
  rescore(instance: number, score: number): void {
    if (this.#unreported > 0) {
      this.#pending[instance] = score;
      if (this.#reported[instance] === 0) {
        this.#reported[instance] = 1;
        if (--this.#unreported === 0) this.#endWarmup();
      }
      return;
    }
    const old = this.#score[instance] as number;
    this.#score[instance] = score;
    if (score > old) this.#up(this.#position[instance] as number);
    else if (score < old) this.#down(this.#position[instance] as number);
  }

  /** One more request dispatched to `instance` (it only ever sinks). */
  dispatched(instance: number): void {
    this.#dispatched[instance] = (this.#dispatched[instance] as number) + 1;
    this.#down(this.#position[instance] as number);
  }

  /** Every instance has reported: the scores rank from now on (the heap rebuilt once, O(n)). */
  #endWarmup(): void {
    this.#score.set(this.#pending);
    for (let at = (this.#heap.length >> 1) - 1; at >= 0; at--) this.#down(at);
  }

  #before(a: number, b: number): boolean {
    const sa = this.#score[a] as number;
    const sb = this.#score[b] as number;
    if (sa !== sb) return sa > sb;
    const da = this.#dispatched[a] as number;
    const db = this.#dispatched[b] as number;
    if (da !== db) return da < db;
    return a < b;
  }

  #place(at: number, instance: number): void {
    this.#heap[at] = instance;
    this.#position[instance] = at;
  }

  #up(at: number): void {
    const heap = this.#heap;
    const moving = heap[at] as number;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      const above = heap[parent] as number;
      if (!this.#before(moving, above)) break;
      this.#place(at, above);
      at = parent;
    }
    this.#place(at, moving);
  }

  #down(at: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const moving = heap[at] as number;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= n) break;
      let child = left;
      const right = left + 1;
      if (right < n && this.#before(heap[right] as number, heap[left] as number)) child = right;
      const below = heap[child] as number;
      if (!this.#before(below, moving)) break;
      this.#place(at, below);
      at = child;
    }
    this.#place(at, moving);
  }
}
