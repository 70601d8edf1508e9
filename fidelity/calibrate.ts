// The simulator's profile for the fidelity loop, three ways (FidelityOptions.calibration): from
// the steps the calibration replays ran (default; fidelity/calibrate-replay.ts fits the table,
// contention and jitter), or from a profiling grid on the whole fleet or on one engine alone.
import type { MigrationRecord as FleetMigrationRecord } from '../backend/manager/fleet.ts';
import type { ModelArch } from '../backend/model/arch.ts';
import { loadAddon } from '../backend/native/load-addon.ts';
import { machineMeta, profileEngine, type ProfileResult } from '../backend/profile/profile-engine.ts';
import { profileFleet } from '../backend/profile/profile-fleet.ts';
import { frontendOf } from '../backend/profile/profile-folder.ts';
import type { JitterMemory } from '../sim/perf/step-jitter.ts';
import { duringAny } from './calibrate-migration.ts';
import { calibrateFromReplay, type FittedContention } from './calibrate-replay.ts';
import { CALIBRATION_SEED_OFFSET, DEFAULT_CALIBRATION_MIGRATIONS, type CalibrationRun } from './fleet-replays.ts';
import type { Replay } from './real-run.ts';
import type { FidelityOptions, Frontend } from './run-fidelity.ts';

export interface MeasuredProfile {
  readonly profile: ProfileResult;
  readonly frontend: Frontend;
  readonly jitter_ratios?: { prefill: number[]; decode: number[] };
  readonly jitter_memory?: JitterMemory;
  readonly contention?: FittedContention;
  /** The migrations forced during the calibration replays (replay calibration only). */
  readonly migrations?: readonly FleetMigrationRecord[];
}

/** `calibration: engine | fleet`: the profiling grid, on one engine alone or on every instance at once. */
export async function gridProfile(o: FidelityOptions, log: (line: string) => void): Promise<MeasuredProfile> {
  const common = { ...o.profile, model: o.model, threads: o.threads, block_size_tokens: o.block_size_tokens };
  if (o.calibration === 'engine') {
    log(`profiling one ${o.model} engine alone (${o.threads} thread(s)) …`);
    const profile = await profileEngine(common);
    return { profile: { ...profile, frontend: { dispatch_ms: [], delivery_ms: [] } }, frontend: { dispatch_ms: 0, delivery_ms: 0 } };
  }
  log(`profiling ${o.instances} ${o.model} instance processes stepping at once (${o.threads} thread(s) each) …`);
  const profile = await profileFleet({ ...common, instances: o.instances });
  // Medians: a rare slow delivery (a GC pause) should not shift every simulated token.
  return { profile, frontend: frontendOf(profile) };
}

/** Several replays as one: their requests and steps side by side (their times never overlap). */
export function pooledReplay(replays: readonly Replay[]): Replay {
  return {
    requests: replays.flatMap((r) => r.requests),
    steps: replays.flatMap((r) => r.steps),
    makespan_s: replays.reduce((a, r) => a + r.makespan_s, 0),
    migrations: replays.reduce((a, r) => a + r.migrations, 0),
    preemptions: replays.reduce((a, r) => a + r.preemptions, 0),
  };
}

/** `calibration: replay`: the table, path, jitter and contention fitted on the calibration replays' steps, pooled. */
export function replayProfile(o: FidelityOptions, arch: ModelArch, runs: readonly CalibrationRun[], log: (line: string) => void): MeasuredProfile {
  const replay = pooledReplay(runs.map((r) => r.replay));
  // Steps that ran while a forced migration was in flight are left out: the migrations' cost is
  // the control time's, measured apart; in the table and the jitter it would also price every
  // step of a policy that never migrates.
  const calibration = calibrateFromReplay(replay, { exclude: duringAny(runs.flatMap((r) => r.migration_windows)) });
  const when = runs.length === 1 ? 'before the test replays' : `${runs.length} replays, before and after the test replays, pooled`;
  const meta = machineMeta({
    model: o.model, arch, kernel: loadAddon().cpuFeatures().best, threads: o.threads, block_size_tokens: o.block_size_tokens, engines: o.instances,
    where: `the steps the calibration replays ran (seed ${o.trace.seed + CALIBRATION_SEED_OFFSET}, round-robin, ${when}; ${calibration.steps.prefill} prefill-only and ${calibration.steps.decode} decode-only steps; ${calibration.steps.mixed_ignored} mixed steps not used, ${calibration.steps.excluded} steps during forced migrations left out)`,
    measured: 'whole engine steps inside the instance processes, binned by batch shape, mean per bin; p10/p90 beside',
  });
  const profile: ProfileResult = {
    rows: calibration.rows, meta,
    frontend: { dispatch_ms: replay.requests.map((r) => r.dispatch_s * 1e3), delivery_ms: replay.requests.map((r) => r.delivery_s * 1e3) },
    non_forward_ms: replay.steps.map((s) => s.step_ms - s.forward_ms),
  };
  const contention = o.contention === false ? undefined : calibration.contention;
  if (contention !== undefined) log(`contention: steps start with ${contention.steps_per_level.map((n, k) => `${k} other instance(s) mid-step ${n} times (×${contention.step_factors[k]!.toFixed(3)})`).join(', ')}`);
  const memory = o.jitter_memory === false ? undefined : calibration.jitter_memory;
  if (memory !== undefined) log(`jitter memory: correlation share ${memory.share.toFixed(3)} × ${memory.per_step.toFixed(3)}^steps`);
  const migrations = runs.flatMap((r) => r.migrations);
  return {
    profile, frontend: calibration.frontend, jitter_ratios: calibration.jitter_ratios,
    ...(memory === undefined ? {} : { jitter_memory: memory }), ...(contention === undefined ? {} : { contention }),
    ...((o.calibration_migrations ?? DEFAULT_CALIBRATION_MIGRATIONS) === 0 ? {} : { migrations }),
  };
}
