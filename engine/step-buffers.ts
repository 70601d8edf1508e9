import type { DecodeItem, PrefillChunk, StepOutcome, StepPlan } from './plan.ts';
import type { Sequence } from './sequence.ts';

/**
 * Shortens a list to `length` and keeps its backing store: V8 drops the store of an array whose
 * length is set to 0, so a list truncated that way every step is allocated again every step
 * (measured: as many scavenges as fresh arrays, and ~10 % more CPU); `pop` leaves the capacity.
 */
export function truncate(list: unknown[], length: number): void {
  while (list.length > length) list.pop();
}

/**
 * The one plan an engine hands out: `schedule()` refills it, so a step allocates no plan object
 * and no lists (millions of steps in a long simulation). `clear()` empties the short lists
 * (admissions, preemptions, prefill chunks: empty in most steps); the decode list, as long as
 * the running batch, is overwritten in place by index and then truncated to the count written
 * (`truncate`), which pops only what the batch shrank by. A plan is read before its engine
 * schedules again (the simulator prices and applies it, the real engine runs it, then `update`
 * reads it); a caller that must keep one longer copies what it needs.
 */
export class PlanBuffer<S extends Sequence> implements StepPlan<S> {
  readonly prefills: PrefillChunk<S>[] = [];
  readonly decodes: DecodeItem<S>[] = [];
  readonly admitted: S[] = [];
  readonly preempted: S[] = [];
  readonly ignored: S[] = [];

  /** Empties every list but `decodes`, which the scheduler overwrites and truncates. */
  clear(): this {
    // Most steps have none of these: test before calling (a call per list per step showed up).
    if (this.prefills.length > 0) truncate(this.prefills, 0);
    if (this.admitted.length > 0) truncate(this.admitted, 0);
    if (this.preempted.length > 0) truncate(this.preempted, 0);
    if (this.ignored.length > 0) truncate(this.ignored, 0);
    return this;
  }

  get empty(): boolean {
    return this.prefills.length === 0 && this.decodes.length === 0 && this.preempted.length === 0;
  }
}

/**
 * The one outcome an engine hands out: `update()` refills it (see PlanBuffer). `emitted` (one
 * entry per sequence in the batch, most steps) is overwritten by index through `emit` and
 * truncated by `sealEmitted`; the rarely used lists are emptied by `clear`.
 */
export class OutcomeBuffer<S extends Sequence> implements StepOutcome<S> {
  readonly emitted: S[] = [];
  readonly finished: S[] = [];
  readonly prefilled: S[] = [];
  #emitted = 0;

  clear(): this {
    this.#emitted = 0;
    if (this.finished.length > 0) truncate(this.finished, 0);
    if (this.prefilled.length > 0) truncate(this.prefilled, 0);
    return this;
  }

  emit(seq: S): void {
    this.emitted[this.#emitted++] = seq;
  }

  /** Ends the step's `emitted` list at the sequences emitted since `clear`. */
  sealEmitted(): void {
    if (this.emitted.length > this.#emitted) truncate(this.emitted, this.#emitted);
  }
}
