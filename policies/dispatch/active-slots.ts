/**
 * Which slots of a fleet are active, as an order statistic: the k-th active slot in slot order
 * in O(log n), and a slot marked or unmarked in O(log n). A Fenwick tree of 0/1 counts (each
 * node holds the count of a power-of-two run of slots ending at it), so `random` dispatch can
 * pick the k-th active instance — the framework's `feasible[k]` — while some instances are
 * starting or draining, without a candidate per instance.
 */
export class ActiveSlots {
  /** 1-based Fenwick nodes: `#tree[i]` counts the active slots in (i − lowbit(i), i]. */
  #tree: Int32Array;
  /** The largest power of two ≤ the slot count (the descent's first step), 0 when empty. */
  #topStep: number;
  #count = 0;

  constructor(slots = 0) {
    this.#tree = new Int32Array(slots + 1);
    this.#topStep = topStepOf(slots);
  }

  /** All slots inactive, `slots` of them. */
  reset(slots: number): void {
    this.#tree = new Int32Array(slots + 1);
    this.#topStep = topStepOf(slots);
    this.#count = 0;
  }

  get count(): number {
    return this.#count;
  }

  /** Marks `slot` active (+1) or inactive (−1); the caller changes a slot's mark only when its state changes. */
  add(slot: number, delta: 1 | -1): void {
    const tree = this.#tree;
    for (let i = slot + 1; i < tree.length; i += i & -i) tree[i] = (tree[i] as number) + delta;
    this.#count += delta;
  }

  /**
   * The slot of the k-th active slot in slot order (k from 0; 0 ≤ k < count): descends the
   * tree, skipping every run whose active count is still ≤ k.
   */
  at(k: number): number {
    if (!(Number.isInteger(k) && k >= 0 && k < this.#count)) throw new RangeError(`ActiveSlots.at: k must be an integer in [0, ${this.#count}), received ${k}`);
    const tree = this.#tree;
    let position = 0;
    let rest = k;
    for (let step = this.#topStep; step > 0; step >>= 1) {
      const next = position + step;
      if (next < tree.length && (tree[next] as number) <= rest) {
        position = next;
        rest -= tree[next] as number;
      }
    }
    // `position` slots (1-based nodes 1..position) hold exactly k active ones; the next is active.
    return position;
  }
}

function topStepOf(slots: number): number {
  let step = 1;
  while (step * 2 <= slots) step *= 2;
  return slots === 0 ? 0 : step;
}
