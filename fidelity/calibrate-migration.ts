// The migration's control time, measured under load: the calibration replay carries a few
// forced migrations spread over its span, and what each took beyond the KV transfer line
// (stages × stage overhead + bytes ÷ bandwidth, measured alone on the transfer path) is the
// control path a migration pays before and around its copies on this fleet: the manager's call
// to the source, the source's pick, PRE-ALLOC's round trips, and a loaded machine's delays.
// The simulator starts the first stage that long after the pairing decides
// (`migration.control_ms`).
import { median } from 'simple-statistics';
import type { Fleet, MigrationRecord } from '../backend/manager/fleet.ts';
import { unixNowMs } from '../backend/rpc/machine-clock.ts';

export interface MigrationLine {
  readonly bandwidth_gbps: number;
  readonly stage_overhead_ms: number;
  readonly bytes_per_block: number;
}

export interface MigrationControl {
  /** Median over the measured forced migrations of (measured − the line's copies), ms, ≥ 0. */
  readonly control_ms: number;
  /** Forced migrations the mean is over: the committed ones and those refused at PRE-ALLOC. */
  readonly measured: number;
  /** Of those, committed. */
  readonly committed: number;
  /** Forced migrations tried (the rest ended mid-copy or found no request to move). */
  readonly tried: number;
  /** Each measured one: its outcome, what it took (manager's decision → the source's reply) and the line's part, ms. */
  readonly samples: readonly { readonly outcome: string; readonly measured_ms: number; readonly line_ms: number; readonly stages: number; readonly blocks: number }[];
}

/** What the transfer line prices of one migration's copies. */
export function lineMs(line: MigrationLine, stages: number, blocks: number): number {
  return stages * line.stage_overhead_ms + (blocks * line.bytes_per_block) / (line.bandwidth_gbps * 1e6);
}

/**
 * The control time from the forced migrations' records. Two outcomes measure it: a committed
 * migration (its time minus the line's price of its stages), and one the destination refused at
 * its first PRE-ALLOC (no block moved: all of its time is control path, which is what the
 * simulator charges such an abort too). One that ended mid-copy (the request finished or was
 * preempted) or found no request says nothing definite and is left out. None measured: 0.
 */
export function fitMigrationControl(records: readonly MigrationRecord[], line: MigrationLine): MigrationControl {
  const refusedAtFirstStage = (r: MigrationRecord): boolean => r.outcome === 'aborted-dst-no-memory' && r.blocks === 0;
  const samples = records
    .filter((r) => r.outcome === 'committed' || refusedAtFirstStage(r))
    .map((r) => ({ outcome: r.outcome, measured_ms: (r.ended_s - r.started_s) * 1e3, line_ms: r.outcome === 'committed' ? lineMs(line, r.stages, r.blocks) : 0, stages: r.stages, blocks: r.blocks }));
  // The median: on a shared machine one migration in a few waits behind a burst for 5–10× the
  // others (measured 34 and 193 ms for the same kind of move), and a handful of samples cannot
  // average that out; the simulator's contention and jitter terms already price bursts.
  const residuals = samples.map((s) => s.measured_ms - s.line_ms);
  const control_ms = residuals.length === 0 ? 0 : Math.max(0, median(residuals));
  return { control_ms, measured: samples.length, committed: samples.filter((s) => s.outcome === 'committed').length, tried: records.length, samples };
}

/** When a forced migration was in flight, as the manager saw it (Unix-epoch ms, the steps' clock). */
export interface MigrationWindow {
  readonly start_unix_ms: number;
  readonly end_unix_ms: number;
}

/**
 * Forces `count` migrations during a replay of `span_s` seconds that has just started on
 * `fleet`: at span × (k + 1) / (count + 1), from instance k mod n to the next one (whichever
 * running request the source's selector picks). Resolves with every outcome and when each was
 * in flight, once the last has ended; a refused migration (no live pair) is skipped, never fatal
 * to the replay.
 */
export async function forceMigrationsDuring(fleet: Fleet, instances: number, span_s: number, count: number): Promise<{ records: MigrationRecord[]; windows: MigrationWindow[] }> {
  if (instances < 2 || count === 0) return { records: [], windows: [] };
  const t0 = performance.now();
  const runs = Array.from({ length: count }, async (_, k): Promise<{ record: MigrationRecord; window: MigrationWindow } | undefined> => {
    const at_ms = (span_s * 1e3 * (k + 1)) / (count + 1);
    const wait = at_ms - (performance.now() - t0);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const from = k % instances;
    const start_unix_ms = unixNowMs();
    const record = await fleet.migrate(from, (from + 1) % instances).catch(() => undefined);
    return record === undefined ? undefined : { record, window: { start_unix_ms, end_unix_ms: unixNowMs() } };
  });
  const done = (await Promise.all(runs)).filter((r) => r !== undefined);
  return { records: done.map((d) => d.record), windows: done.map((d) => d.window) };
}

/** Whether a step ran (even partly) while one of the windows was open. */
export function duringAny(windows: readonly MigrationWindow[]): (step: { readonly started_unix_ms: number; readonly step_ms: number }) => boolean {
  return (step) => windows.some((w) => step.started_unix_ms < w.end_unix_ms && step.started_unix_ms + step.step_ms > w.start_unix_ms);
}
