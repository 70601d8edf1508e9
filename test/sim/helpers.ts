import type { RunObserver } from '../../metrics/index.ts';
import type { ArrivingRequest, ClusterView, MigrationPair, Verdict } from '../../policies/index.ts';
import type { RequestSpec } from '../../traces/index.ts';
import {
  type FleetScheduler,
  fittedPerfModel,
  LLAMA_7B_A10,
  linkCopyModel,
  MigrationParams,
  SimCluster,
  Simulation,
  type EngineLimits,
  type PerfModel,
} from '../../sim/index.ts';
import { LIMITS } from '../engine/helpers.ts';

/** The engine tests' limits: one definition for both suites. */
export { LIMITS };


/** A scheduler that sends each request where `route` says and never migrates on its own. */
export function pinnedScheduler(route: (request: ArrivingRequest, view: ClusterView) => number): FleetScheduler & {
  pairs: MigrationPair[];
} {
  const scheduler = {
    pairs: [] as MigrationPair[],
    dispatch: (request: ArrivingRequest, view: ClusterView): Verdict<number> => ({
      ok: true,
      value: route(request, view),
      policy: 'pinned',
    }),
    onReport: () => scheduler.pairs.splice(0),
    selectRequest: (running: readonly { id: number }[]) => running[running.length - 1]?.id,
    scaling: undefined,
    onScalingTick: () => [],
  };
  return scheduler;
}

export function spec(id: number, arrival_s: number, prompt_tokens: number, output_tokens: number): RequestSpec {
  return { id, arrival_s, prompt_tokens, output_tokens, priority: 'normal' };
}

export function makeCluster(options: {
  instances: number;
  limits?: Partial<EngineLimits>;
  migration?: Partial<MigrationParams>;
  scheduler: FleetScheduler;
  seed?: number;
  perf?: PerfModel;
  contention?: readonly number[];
  observer?: RunObserver;
}): { sim: Simulation; cluster: SimCluster } {
  const sim = new Simulation(options.seed ?? 1);
  const migration = MigrationParams.parse(options.migration ?? {});
  const cluster = new SimCluster(
    sim,
    {
      instances: options.instances,
      limits: { ...LIMITS, ...options.limits },
      perf: options.perf ?? fittedPerfModel('test', LLAMA_7B_A10),
      copy: linkCopyModel({ bytes_per_block: 8 << 20, bandwidth_gbps: migration.bandwidth_gbps, stage_overhead_ms: migration.stage_overhead_ms }),
      migration,
      startup_s: 5,
      checkInvariants: true,
      ...(options.contention === undefined ? {} : { contention: options.contention }),
      ...(options.observer === undefined ? {} : { observer: options.observer }),
    },
    options.scheduler,
  );
  return { sim, cluster };
}
