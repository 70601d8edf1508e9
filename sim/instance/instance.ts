import type { EngineCore, StepPlan } from '../../engine/index.ts';
import type { RecurringEvent } from '../kernel/index.ts';
import type { InstanceReport, InstanceState } from '../../policies/index.ts';
import type { SimRequest } from './request.ts';

export type SimEngine = EngineCore<SimRequest>;

/**
 * One simulated serving instance: its engine plus what the cluster tracks around it (lifecycle,
 * the iteration in flight, migrations, its latest report).
 */
export class SimInstance {
  state: InstanceState;
  /** Its index in the cluster's instance list (kept by the cluster as instances leave). */
  slot = -1;
  /** The iteration in flight, if any, and when it started, lasts and ends. */
  current: StepPlan<SimRequest> | undefined;
  current_start_s = 0;
  current_duration_s = 0;
  current_end_s = 0;
  /**
   * Its step-start and step-end events, created once by the cluster that runs it, so a step
   * queues no new event or closure (millions of steps; the iteration's data is in `current*`).
   */
  stepStart: RecurringEvent<SimInstance> | undefined;
  stepEnd: RecurringEvent<SimInstance> | undefined;
  /** Whether a step-start event is already queued (so dispatch bursts queue one, not many). */
  start_pending = false;
  migrations_out = 0;
  migrations_in = 0;
  high_priority = 0;
  steps = 0;
  created_s: number;
  /** Its latest report: one object for the whole run, re-taken in place (`refreshReport`). */
  readonly report: SimReport;

  constructor(
    readonly id: number,
    readonly engine: SimEngine,
    state: InstanceState,
    now_s: number,
  ) {
    this.state = state;
    this.created_s = now_s;
    this.report = new SimReport(id);
    this.report.fill(this, now_s, false);
  }

  get busy(): boolean {
    return this.current !== undefined;
  }

  get migrations_in_flight(): number {
    return this.migrations_out + this.migrations_in;
  }

  /** The load report of Llumnix's `_record_instance_info` as of now, as a new object (live views). */
  snapshot(now_s: number, reported = true): InstanceReport {
    const report = new SimReport(this.id);
    report.fill(this, now_s, reported);
    return report;
  }

  /**
   * Re-takes `report` in place (after a step, or a state change) and bumps its version: one
   * report object per instance for the whole run instead of one per step (millions), which is
   * what the view's readers expect of a port that rewrites reports (`InstanceReport.version`).
   */
  refreshReport(now_s: number, reported = true): void {
    this.report.fill(this, now_s, reported);
    this.report.version++;
  }
}

/**
 * An instance's report as the simulator keeps it: the fields of `InstanceReport`, written in
 * place by `fill`. Readers see it through the read-only `InstanceReport` type.
 */
export class SimReport implements InstanceReport {
  state: InstanceState = 'starting';
  reported = false;
  report_time_s = 0;
  total_blocks = 0;
  watermark_blocks = 0;
  free_blocks = 0;
  running = 0;
  waiting = 0;
  killed = 0;
  head_waiting_blocks = 0;
  all_waiting_blocks = 0;
  high_priority = 0;
  last_running_blocks = 0;
  migrations_in_flight = 0;
  version = 0;

  constructor(readonly id: number) {}

  /** Llumnix's `_record_instance_info` of `instance` at `now_s`. */
  fill(instance: SimInstance, now_s: number, reported: boolean): void {
    const e = instance.engine;
    let allWaiting = 0;
    for (const r of e.waiting) allWaiting += r.num_tokens;
    const head = e.waiting[0];
    const last = e.running[e.running.length - 1];
    const block = e.limits.block_size_tokens;
    this.state = instance.state;
    this.reported = reported;
    this.report_time_s = now_s;
    this.total_blocks = e.limits.total_blocks;
    this.watermark_blocks = e.limits.watermark_blocks;
    this.free_blocks = e.free_blocks;
    this.running = e.running.length;
    this.waiting = e.waiting.length;
    this.killed = e.killed;
    this.head_waiting_blocks = head === undefined ? 0 : head.num_tokens / block;
    this.all_waiting_blocks = allWaiting / block;
    this.high_priority = instance.high_priority;
    this.last_running_blocks = last === undefined ? 0 : last.blocks_held;
    this.migrations_in_flight = instance.migrations_in_flight;
  }
}
