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
  /** The iteration in flight, if any, and when it started, lasts and ends. */
  current: StepPlan<SimRequest> | undefined;
  current_start_s = 0;
  current_duration_s = 0;
  current_end_s = 0;
  /**
   * Its step-start and step-end events, created once by the cluster that runs it, so a step
   * queues no new event or closure (millions of steps; the iteration's data is in `current*`).
   */
  stepStart: RecurringEvent | undefined;
  stepEnd: RecurringEvent | undefined;
  /** Whether a step-start event is already queued (so dispatch bursts queue one, not many). */
  start_pending = false;
  migrations_out = 0;
  migrations_in = 0;
  high_priority = 0;
  steps = 0;
  busy_s = 0;
  created_s: number;
  report: InstanceReport;

  constructor(
    readonly id: number,
    readonly engine: SimEngine,
    state: InstanceState,
    now_s: number,
  ) {
    this.state = state;
    this.created_s = now_s;
    this.report = this.snapshot(now_s, false);
  }

  get busy(): boolean {
    return this.current !== undefined;
  }

  get migrations_in_flight(): number {
    return this.migrations_out + this.migrations_in;
  }

  /** The load report of Llumnix's `_record_instance_info`, taken after a step. */
  snapshot(now_s: number, reported = true): InstanceReport {
    const e = this.engine;
    let allWaiting = 0;
    for (const r of e.waiting) allWaiting += r.num_tokens;
    const head = e.waiting[0];
    const last = e.running[e.running.length - 1];
    const block = e.limits.block_size_tokens;
    return {
      id: this.id,
      state: this.state,
      reported,
      report_time_s: now_s,
      total_blocks: e.limits.total_blocks,
      watermark_blocks: e.limits.watermark_blocks,
      free_blocks: e.free_blocks,
      running: e.running.length,
      waiting: e.waiting.length,
      killed: e.killed,
      head_waiting_blocks: head === undefined ? 0 : head.num_tokens / block,
      all_waiting_blocks: allWaiting / block,
      high_priority: this.high_priority,
      last_running_blocks: last === undefined ? 0 : last.block_table.length,
      migrations_in_flight: this.migrations_in_flight,
    };
  }
}
