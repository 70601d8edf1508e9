import type { DecodeItem, PrefillChunk, StepOutcome, StepPlan } from './plan.ts';
import type { Sequence } from './sequence.ts';

/**
 * Empties a list and keeps its backing store: V8 drops the store of an array whose length is
 * set to 0, so every step would allocate its lists again; `pop` leaves the capacity in place.
 */
function empty(list: unknown[]): void {
  while (list.length > 0) list.pop();
}

/**
 * The one plan an engine hands out: `schedule()` empties and refills it, so a step allocates no
 * plan object and no lists (millions of steps in a long simulation). A plan is read before its
 * engine schedules again (the simulator prices it and applies it, the real engine runs it, then
 * `update` reads it); a caller that must keep one longer copies what it needs.
 */
export class PlanBuffer<S extends Sequence> implements StepPlan<S> {
  readonly prefills: PrefillChunk<S>[] = [];
  readonly decodes: DecodeItem<S>[] = [];
  readonly admitted: S[] = [];
  readonly preempted: S[] = [];

  clear(): this {
    empty(this.prefills);
    empty(this.decodes);
    empty(this.admitted);
    empty(this.preempted);
    return this;
  }

  get empty(): boolean {
    return this.prefills.length === 0 && this.decodes.length === 0 && this.preempted.length === 0;
  }
}

/** The one outcome an engine hands out: `update()` empties and refills it (see PlanBuffer). */
export class OutcomeBuffer<S extends Sequence> implements StepOutcome<S> {
  readonly emitted: S[] = [];
  readonly finished: S[] = [];
  readonly prefilled: S[] = [];

  clear(): this {
    empty(this.emitted);
    empty(this.finished);
    empty(this.prefilled);
    return this;
  }
}
