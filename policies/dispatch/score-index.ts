/**
 * An incremental index of dispatch scores, so a dispatch over thousands of instances does not
 * re-score and re-validate every report at every arrival: it re-scores only the instances
 * whose report (a new object, or the same object with a new `version`) or dispatched count
 * changed since the last arrival, and keeps the active ones in an indexed binary heap ordered
 * exactly as the framework's `best`: highest score, then its tie rule (fewest dispatched, then
 * lowest id; or lowest id only).
 *
 * Noticing a change is one pointer and one number comparison per instance, or, when the view
 * carries a change feed (`ClusterView.changes`, the simulator's), per slot the port listed as
 * changed since the last arrival; what is saved is the scoring, the validation, the
 * per-arrival allocation of candidates and, with a feed, the pass over the whole fleet. The caller falls
 * back to the framework (same answer, same rejection reasons) whenever the index declines:
 * no active instance, or some active instance has not reported yet (warm-up rules differ).
 */
import type { ChangeFeed, ClusterView, InstanceReport } from '../view.ts';
import { ActiveSlots } from './active-slots.ts';
import type { TieBreak } from './framework.ts';

/** A dispatch score of one instance: its report and its dispatched count (higher is better). */
export type IndexedScore = (report: InstanceReport, dispatched: number) => number;

export interface ScoreIndexOptions {
  /**
   * Whether the score reads the report, so the index declines while an active instance has not
   * reported yet (default true: the caller's framework has its warm-up rule). A score of the
   * dispatched count alone (`round-robin`) does not, and is answered from the first arrival.
   */
  readonly needsReports?: boolean;
  /**
   * How equal scores are ordered, as the framework's `makeDispatchPolicy` does (default
   * 'fewest-dispatched': fewest dispatched, then lowest id; 'lowest-id': lowest id only).
   */
  readonly ties?: TieBreak;
}

export class ScoreIndex {
  readonly #score: IndexedScore;
  readonly #needsReports: boolean;
  readonly #tiesByDispatched: boolean;
  #reports: (InstanceReport | undefined)[] = [];
  /** The `version` of each slot's report when it was scored (undefined for ports without versions). */
  #versions: (number | undefined)[] = [];
  /** Whether each slot counts in `#unreported` (a report rewritten in place no longer shows its old state). */
  #unreportedSlot: boolean[] = [];
  #dispatched: number[] = [];
  #scores: number[] = [];
  /** Slot → position in the heap, −1 when not in it (not active). */
  #position: number[] = [];
  #heap: number[] = [];
  /** The active slots in slot order (the heap's members, as an order statistic for `activeAt`). */
  readonly #active = new ActiveSlots();
  /** Active instances that have not reported yet. */
  #unreported = 0;
  /** How far the view's change feed has been read, and under which layout (−1: never read). */
  #feedSeen = 0;
  #feedLayout = -1;

  constructor(score: IndexedScore, options: ScoreIndexOptions = {}) {
    this.#score = score;
    this.#needsReports = options.needsReports ?? true;
    this.#tiesByDispatched = (options.ties ?? 'fewest-dispatched') === 'fewest-dispatched';
  }

  /** The id of the instance the framework would choose, or undefined when it must decide itself. */
  best(view: ClusterView): number | undefined {
    this.#sync(view);
    if ((this.#needsReports && this.#unreported > 0) || this.#heap.length === 0) return undefined;
    const top = this.#heap[0] as number;
    return (this.#reports[top] as InstanceReport).id;
  }

  /**
   * How many instances are active, kept by the index (with a change feed, no pass over the
   * fleet): `random` dispatch draws k below it and takes `activeAt(k)`.
   */
  activeCount(view: ClusterView): number {
    this.#sync(view);
    return this.#heap.length;
  }

  /**
   * The id of the k-th active instance in slot order (k from 0, below `activeCount`), as of the
   * view of the last call (`activeCount(view)` first): the framework's `feasible[k]` under the
   * active-only filter, found in O(log n) while some instances are starting or draining.
   */
  activeAt(k: number): number {
    return (this.#reports[this.#active.at(k)] as InstanceReport).id;
  }

  /**
   * While some active instance has not reported (warm-up), the id of the active instance with
   * the fewest requests dispatched, ties to the lowest id: what `load` dispatch's warm-up rule
   * (score = −dispatched) makes the framework choose, found by one scan of the index's own
   * arrays instead of a candidate object per instance per arrival (a fleet of thousands warms
   * up over thousands of arrivals). Undefined outside warm-up or with no active instance.
   */
  warmupBest(view: ClusterView): number | undefined {
    this.#sync(view);
    if (this.#unreported === 0 || this.#heap.length === 0) return undefined;
    let best = -1;
    for (let slot = 0; slot < this.#reports.length; slot++) {
      if (this.#position[slot] === -1) continue;
      if (best === -1 || this.#fewerDispatched(slot, best)) best = slot;
    }
    return (this.#reports[best] as InstanceReport).id;
  }

  #fewerDispatched(a: number, b: number): boolean {
    const da = this.#dispatched[a] as number;
    const db = this.#dispatched[b] as number;
    if (da !== db) return da < db;
    return (this.#reports[a] as InstanceReport).id < (this.#reports[b] as InstanceReport).id;
  }

  #sync(view: ClusterView): void {
    const feed = view.changes;
    if (feed !== undefined && feed.layout === this.#feedLayout && view.instances.length === this.#reports.length && feed.total - this.#feedSeen <= feed.slots.length && this.#follow(view, feed)) {
      this.#feedSeen = feed.total;
      return;
    }
    this.#scan(view);
    if (feed !== undefined) {
      this.#feedSeen = feed.total;
      this.#feedLayout = feed.layout;
    }
  }

  /**
   * Re-checks only the slots the port says changed since the last sync (the others would
   * compare equal in a scan). The order of re-scoring does not matter: the heap's top is the
   * one best instance under a total order. False when a slot holds another instance than it
   * did (the port did not bump its layout): the caller scans.
   */
  #follow(view: ClusterView, feed: ChangeFeed): boolean {
    const ring = feed.slots;
    for (let k = this.#feedSeen; k < feed.total; k++) if (!this.#check(view, ring[k % ring.length] as number)) return false;
    return true;
  }

  /** Compares every slot (no change feed, or the feed cannot say). */
  #scan(view: ClusterView): void {
    const instances = view.instances;
    if (instances.length !== this.#reports.length) this.#reset(instances.length);
    for (let slot = 0; slot < instances.length; slot++) {
      if (!this.#check(view, slot)) {
        // Instances left and slots shifted: start over.
        this.#reset(instances.length);
        this.#scan(view);
        return;
      }
    }
  }

  /** Re-scores `slot` if its report or dispatched count changed; false when the slot now holds another instance. */
  #check(view: ClusterView, slot: number): boolean {
    const report = view.instances[slot] as InstanceReport;
    const dispatched = view.dispatched[slot] ?? 0;
    const old = this.#reports[slot];
    if (old === report && this.#versions[slot] === report.version && this.#dispatched[slot] === dispatched) return true;
    if (old !== undefined && old.id !== report.id) return false;
    this.#update(slot, report, dispatched);
    return true;
  }

  #reset(slots: number): void {
    this.#reports = new Array<InstanceReport | undefined>(slots).fill(undefined);
    this.#versions = new Array<number | undefined>(slots).fill(undefined);
    this.#unreportedSlot = new Array<boolean>(slots).fill(false);
    this.#dispatched = new Array<number>(slots).fill(0);
    this.#scores = new Array<number>(slots).fill(0);
    this.#position = new Array<number>(slots).fill(-1);
    this.#heap = [];
    this.#active.reset(slots);
    this.#unreported = 0;
  }

  #update(slot: number, report: InstanceReport, dispatched: number): void {
    const unreported = report.state === 'active' && !report.reported;
    if (this.#unreportedSlot[slot] === true) this.#unreported--;
    if (unreported) this.#unreported++;
    this.#unreportedSlot[slot] = unreported;
    this.#reports[slot] = report;
    this.#versions[slot] = report.version;
    this.#dispatched[slot] = dispatched;
    const inHeap = this.#position[slot] !== -1;
    if (report.state !== 'active') {
      if (inHeap) {
        this.#remove(slot);
        this.#active.add(slot, -1);
      }
      return;
    }
    this.#scores[slot] = this.#score(report, dispatched);
    if (!inHeap) {
      this.#active.add(slot, 1);
      this.#position[slot] = this.#heap.length;
      this.#heap.push(slot);
    }
    const at = this.#position[slot] as number;
    this.#up(at);
    this.#down(this.#position[slot] as number);
  }

  /** Whether slot a ranks before slot b: higher score, fewer dispatched (unless ties go by id only), lower id. */
  #before(a: number, b: number): boolean {
    const sa = this.#scores[a] as number;
    const sb = this.#scores[b] as number;
    if (sa !== sb) return sa > sb;
    if (this.#tiesByDispatched) return this.#fewerDispatched(a, b);
    return (this.#reports[a] as InstanceReport).id < (this.#reports[b] as InstanceReport).id;
  }

  #remove(slot: number): void {
    const at = this.#position[slot] as number;
    const last = this.#heap.pop() as number;
    this.#position[slot] = -1;
    if (last === slot) return;
    this.#heap[at] = last;
    this.#position[last] = at;
    this.#up(at);
    this.#down(this.#position[last] as number);
  }

  #up(at: number): void {
    const heap = this.#heap;
    const slot = heap[at] as number;
    while (at > 0) {
      const parentAt = (at - 1) >> 1;
      const parent = heap[parentAt] as number;
      if (!this.#before(slot, parent)) break;
      heap[at] = parent;
      this.#position[parent] = at;
      at = parentAt;
    }
    heap[at] = slot;
    this.#position[slot] = at;
  }

  #down(at: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const slot = heap[at] as number;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && this.#before(heap[right] as number, heap[child] as number)) child = right;
      if (!this.#before(heap[child] as number, slot)) break;
      heap[at] = heap[child] as number;
      this.#position[heap[at] as number] = at;
      at = child;
    }
    heap[at] = slot;
    this.#position[slot] = at;
  }
}
