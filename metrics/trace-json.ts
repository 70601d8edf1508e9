import type { MigrationRecord, StepRecord } from './records.ts';

/**
 * trace.json in the Chrome trace event format (opens in Perfetto and chrome://tracing): one
 * track per instance (a thread of process 0, named "instance N"), a complete ("X") slice per
 * engine step, an instant ("i") event where a step preempted requests, and on the source's
 * track an instant where a migration started and where it committed or aborted. Times are in
 * microseconds of the run's clock (the format's unit).
 */

/** One event of the trace event format (the fields fleetlab writes). */
export interface TraceEvent {
  readonly name: string;
  readonly ph: 'X' | 'i' | 'M';
  readonly pid: number;
  readonly tid: number;
  readonly ts?: number;
  readonly dur?: number;
  readonly cat?: string;
  /** Instant scope: 't' draws it on its thread's track. */
  readonly s?: 't';
  readonly args?: Readonly<Record<string, unknown>>;
}

const PID = 0;
const us = (s: number): number => Math.round(s * 1e9) / 1e3;

/** The trace's events, metadata first, then every step and migration in record order. */
export function* traceEvents(steps: readonly StepRecord[], migrations: readonly MigrationRecord[], system: string): Generator<TraceEvent> {
  const instances = new Set<number>();
  for (const s of steps) instances.add(s.instance);
  for (const m of migrations) instances.add(m.from).add(m.to);
  yield { name: 'process_name', ph: 'M', pid: PID, tid: 0, args: { name: system } };
  for (const id of [...instances].sort((a, b) => a - b)) {
    yield { name: 'thread_name', ph: 'M', pid: PID, tid: id, args: { name: `instance ${id}` } };
    yield { name: 'thread_sort_index', ph: 'M', pid: PID, tid: id, args: { sort_index: id } };
  }
  for (const s of steps) {
    const { instance: _i, start_s: _s, duration_s: _d, ...args } = s;
    const name = s.prefill_seqs === 0 ? 'decode' : s.decode_seqs === 0 ? 'prefill' : 'mixed';
    yield { name, cat: 'step', ph: 'X', pid: PID, tid: s.instance, ts: us(s.start_s), dur: us(s.duration_s), args };
    if (s.preemptions > 0) {
      yield { name: 'preempt', cat: 'preemption', ph: 'i', s: 't', pid: PID, tid: s.instance, ts: us(s.start_s), args: { requests: s.preemptions } };
    }
  }
  for (const m of migrations) {
    const args = { migration: m.id, request: m.request, from: m.from, to: m.to };
    yield { name: `migrate → ${m.to}`, cat: 'migration', ph: 'i', s: 't', pid: PID, tid: m.from, ts: us(m.started_s), args };
    const end = m.status === 'committed' ? 'committed' : `aborted: ${m.reason ?? 'unknown'}`;
    yield {
      name: `migration ${end}`, cat: 'migration', ph: 'i', s: 't', pid: PID, tid: m.from, ts: us(m.ended_s),
      args: { ...args, status: m.status, reason: m.reason ?? '', stages: m.stages, blocks_copied: m.blocks_copied, downtime_s: m.downtime_s },
    };
  }
}

/** The trace as JSON text, one event a line, written a piece at a time by `put`. */
export function writeTraceJson(put: (text: string) => void, events: Iterable<TraceEvent>): void {
  put('{"displayTimeUnit":"ms","traceEvents":[\n');
  let first = true;
  for (const e of events) {
    put(`${first ? '' : ',\n'}${JSON.stringify(e)}`);
    first = false;
  }
  put('\n]}\n');
}
