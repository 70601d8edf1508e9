import type { ChangeFeed, ClusterView, InstanceId, InstanceReport, InstanceState } from '../../policies/index.ts';
import { InvariantError } from '../errors.ts';
import { SimReport, type SimInstance } from '../instance/index.ts';

/** Changes the live change feed remembers (a reader further behind compares every slot). */
const LIVE_CHANGE_RING = 1 << 12;

/** The clock a live report reads its time from: the live view itself (`now_s`, set per call). */
interface Clock {
  readonly now_s: number;
}

/**
 * One instance as a live view shows it: its state as of the last time it was re-taken, which
 * is its state now, since every change since would have marked it for re-taking. The time is
 * the view's: `report_time_s` is the instant of the view, as a snapshot taken then would say.
 */
export class LiveReport implements InstanceReport {
  readonly #taken: SimReport;
  readonly #clock: Clock;

  constructor(id: InstanceId, clock: Clock) {
    this.#taken = new SimReport(id);
    this.#clock = clock;
  }

  /** Re-takes the instance's state now (`SimInstance.snapshot`'s fields) and bumps the version. */
  retake(instance: SimInstance, now_s: number): void {
    this.#taken.fill(instance, now_s, instance.report.reported);
    this.#taken.version++;
  }

  get id(): InstanceId { return this.#taken.id; }
  get state(): InstanceState { return this.#taken.state; }
  get reported(): boolean { return this.#taken.reported; }
  get report_time_s(): number { return this.#clock.now_s; }
  get total_blocks(): number { return this.#taken.total_blocks; }
  get watermark_blocks(): number { return this.#taken.watermark_blocks; }
  get free_blocks(): number { return this.#taken.free_blocks; }
  get running(): number { return this.#taken.running; }
  get waiting(): number { return this.#taken.waiting; }
  get killed(): number { return this.#taken.killed; }
  get head_waiting_blocks(): number { return this.#taken.head_waiting_blocks; }
  get all_waiting_blocks(): number { return this.#taken.all_waiting_blocks; }
  get high_priority(): number { return this.#taken.high_priority; }
  get last_running_blocks(): number { return this.#taken.last_running_blocks; }
  get migrations_in_flight(): number { return this.#taken.migrations_in_flight; }
  get version(): number { return this.#taken.version; }
}

/** Every field of a report a policy reads, `version` aside (the live view's own counter). */
const REPORT_FIELDS = [
  'id', 'state', 'reported', 'report_time_s', 'total_blocks', 'watermark_blocks', 'free_blocks', 'running', 'waiting',
  'killed', 'head_waiting_blocks', 'all_waiting_blocks', 'high_priority', 'last_running_blocks', 'migrations_in_flight',
] as const satisfies readonly (keyof InstanceReport)[];
// A field added to InstanceReport and not listed here fails the typecheck (the check must see it).
const everyFieldListed: [Exclude<keyof InstanceReport, (typeof REPORT_FIELDS)[number] | 'version'>] extends [never] ? true : never = true;
void everyFieldListed;

/**
 * The fleet as it is now, for dispatch policies that read live state (`reads: live`, Vidur's
 * routing): what a snapshot of every instance at the arrival shows, without taking one. One
 * report per instance for the whole run, re-taken at a view only for the instances marked
 * since the previous view (the cluster marks an instance wherever its engine or its own fields
 * change: dispatch, enqueue, step start and end, migration stages, scaling); each re-take is
 * listed in the view's own change feed, so a dispatch index follows it as it follows reports.
 * A mark missed is a stale view: `check` compares every report with a fresh snapshot (tests).
 */
export class LiveView {
  readonly #instances: readonly SimInstance[];
  readonly #reports: LiveReport[] = [];
  /** Per slot: whether it is in `#marked` (marked since the last view). */
  readonly #isMarked: boolean[] = [];
  readonly #marked: number[] = [];
  readonly #changes = { total: 0, slots: new Int32Array(LIVE_CHANGE_RING), layout: 0 };
  readonly #view: { now_s: number; instances: readonly InstanceReport[]; dispatched: readonly number[]; reports_total: number; changes: ChangeFeed };

  /** Follows `instances` and `dispatched`, the cluster's own arrays (slot-indexed, changed in place). */
  constructor(instances: readonly SimInstance[], dispatched: readonly number[]) {
    this.#instances = instances;
    this.#view = { now_s: 0, instances: this.#reports, dispatched, reports_total: 0, changes: this.#changes };
    for (const instance of instances) this.added(instance);
  }

  /** An instance joined at the last slot. */
  added(instance: SimInstance): void {
    this.#reports.push(new LiveReport(instance.id, this.#view));
    this.#isMarked.push(false);
    this.#changes.layout++;
    this.mark(instance);
  }

  /** The instance at `slot` left and the slots after it moved down: every report is re-taken (rare). */
  removed(slot: number): void {
    this.#reports.splice(slot, 1);
    this.#isMarked.length = 0;
    this.#marked.length = 0;
    this.#changes.layout++;
    for (const instance of this.#instances) {
      this.#isMarked.push(false);
      this.mark(instance);
    }
  }

  /** `instance` may have changed: its report is re-taken at the next view. */
  mark(instance: SimInstance): void {
    const slot = instance.slot;
    // An instance that already left marks nothing.
    if (this.#instances[slot] !== instance || this.#isMarked[slot] === true) return;
    this.#isMarked[slot] = true;
    this.#marked.push(slot);
  }

  /** The view at `now_s`: one object, refreshed by each call, as `SimCluster.view`. */
  view(now_s: number, reports_total: number): ClusterView {
    const view = this.#view;
    view.now_s = now_s;
    view.reports_total = reports_total;
    const changes = this.#changes;
    for (const slot of this.#marked) {
      (this.#reports[slot] as LiveReport).retake(this.#instances[slot] as SimInstance, now_s);
      this.#isMarked[slot] = false;
      changes.slots[changes.total % LIVE_CHANGE_RING] = slot;
      changes.total++;
    }
    this.#marked.length = 0;
    return view;
  }

  /**
   * Throws when a live report differs from a fresh snapshot of its instance at `now_s` in any
   * field a policy reads (a missing mark): what the per-arrival snapshot used to give.
   */
  check(now_s: number): void {
    this.#instances.forEach((instance, slot) => {
      const live = this.#reports[slot] as LiveReport;
      const fresh = instance.snapshot(now_s, instance.report.reported);
      for (const field of REPORT_FIELDS) {
        if (!Object.is(live[field], fresh[field])) {
          throw new InvariantError(`live view at ${now_s} s: instance ${instance.id} (slot ${slot}) has ${field} = ${String(live[field])}, a fresh snapshot ${String(fresh[field])} (a change not marked)`);
        }
      }
    });
  }
}
