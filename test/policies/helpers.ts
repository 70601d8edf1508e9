/**
 * Builders for policy tests: every field has a quiet default (an idle, reported, active
 * LLaMA-7B/A10-sized instance), so a test states only what it is about.
 */
import type {
  ArrivingRequest,
  ClusterView,
  InstanceReport,
  LocalRequestView,
} from '../../policies/index.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function report(id: number, fields: Partial<Mutable<InstanceReport>> = {}): InstanceReport {
  return {
    id,
    state: 'active',
    reported: true,
    report_time_s: 0,
    total_blocks: 792,
    watermark_blocks: 7,
    free_blocks: 792,
    running: 0,
    waiting: 0,
    killed: 0,
    head_waiting_blocks: 0,
    all_waiting_blocks: 0,
    high_priority: 0,
    last_running_blocks: 0,
    migrations_in_flight: 0,
    ...fields,
  };
}

/** A running instance: `running` requests holding `used_blocks` blocks (free = M − used). */
export function busy(id: number, running: number, usedBlocks: number, fields: Partial<Mutable<InstanceReport>> = {}): InstanceReport {
  return report(id, { running, free_blocks: 792 - usedBlocks, ...fields });
}

export function view(
  instances: readonly InstanceReport[],
  fields: { dispatched?: readonly number[]; now_s?: number; reports_total?: number } = {},
): ClusterView {
  const sorted = [...instances].sort((a, b) => a.id - b.id);
  return {
    now_s: fields.now_s ?? 0,
    instances: sorted,
    dispatched: fields.dispatched ?? sorted.map(() => 0),
    reports_total: fields.reports_total ?? 0,
  };
}

export function request(fields: Partial<Mutable<ArrivingRequest>> = {}): ArrivingRequest {
  return { id: 1, prompt_tokens: 100, priority: 'normal', ...fields };
}

export function running(id: number, fields: Partial<Mutable<LocalRequestView>> = {}): LocalRequestView {
  return {
    id,
    arrival_s: 0,
    priority: 'normal',
    length_tokens: 100,
    output_tokens: 1,
    admit_order: id,
    migrating: false,
    ...fields,
  };
}
