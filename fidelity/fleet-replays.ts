// The fidelity loop's real fleets: each is fresh, warmed up on the warm-up trace (unmeasured),
// and then serves one measured replay; a calibration replay is one of them, round-robin on the
// calibration trace, with migrations forced during it to measure their control time.
import { Fleet, type MigrationRecord as FleetMigrationRecord } from '../backend/manager/fleet.ts';
import type { SchedulerSpecInput } from '../policies/index.ts';
import { forceMigrationsDuring, type MigrationWindow } from './calibrate-migration.ts';
import { replayOnFleet, type Replay } from './real-run.ts';
import type { FidelityOptions } from './run-fidelity.ts';
import { syntheticTrace, WARMUP_SEED_OFFSET, warmupTrace } from './workload.ts';

/** The calibration trace's seed is the measured trace's plus this. */
export const CALIBRATION_SEED_OFFSET = 1000;
/** Migrations forced during each calibration replay unless `calibration_migrations` says otherwise. */
export const DEFAULT_CALIBRATION_MIGRATIONS = 10;

export function startFleet(o: FidelityOptions, scheduler: SchedulerSpecInput): Promise<Fleet> {
  return Fleet.start({
    instances: o.instances, scheduler,
    engine: {
      model: o.model, threads: o.threads, num_kv_blocks: o.num_kv_blocks, block_size_tokens: o.block_size_tokens,
      max_num_batched_tokens: o.max_num_batched_tokens, max_num_seqs: o.max_num_seqs, enable_prefix_caching: false,
    },
  });
}

/** A fresh fleet that has replayed the warm-up trace, idle again and ready for a measured replay. */
export async function startWarmFleet(o: FidelityOptions, scheduler: SchedulerSpecInput, vocab: number): Promise<Fleet> {
  const fleet = await startFleet(o, scheduler);
  const rows = warmupTrace(o.trace, o.warmup_requests);
  if (rows.length === 0) return fleet;
  try {
    await replayOnFleet(fleet, rows, o.trace.seed + WARMUP_SEED_OFFSET, vocab, undefined, 'warmup-');
  } catch (error) {
    await fleet.stop();
    throw new Error(`fidelity: the warm-up replay failed: ${(error as Error).message}`);
  }
  return fleet;
}

/** One calibration replay and the migrations forced during it, with when each was in flight. */
export interface CalibrationRun {
  readonly replay: Replay;
  readonly migrations: readonly FleetMigrationRecord[];
  readonly migration_windows: readonly MigrationWindow[];
}

/** Round-robin replays the calibration trace on a fresh, warm fleet while migrations are forced. */
export async function calibrationReplay(o: FidelityOptions, vocab: number): Promise<CalibrationRun> {
  const seed = o.trace.seed + CALIBRATION_SEED_OFFSET;
  const rows = syntheticTrace({ ...o.trace, seed });
  const forced = o.calibration_migrations ?? DEFAULT_CALIBRATION_MIGRATIONS;
  const fleet = await startWarmFleet(o, { dispatch: { kind: 'round-robin' } }, vocab);
  try {
    const [replay, forcedRun] = await Promise.all([
      replayOnFleet(fleet, rows, seed, vocab),
      forceMigrationsDuring(fleet, o.instances, rows[rows.length - 1]?.arrival_s ?? 0, forced),
    ]);
    return { replay, migrations: forcedRun.records, migration_windows: forcedRun.windows };
  } finally {
    await fleet.stop();
  }
}
