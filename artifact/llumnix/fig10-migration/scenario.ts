import type { ArrivingRequest, Verdict } from '../../../policies/index.ts';
import { type FleetScheduler, fittedPerfModel, linkCopyModel, MigrationParams, SimCluster, Simulation } from '../../../sim/index.ts';
import type { Fig10Model } from './models.ts';

/** Everything goes to instance 0; migrations only when the scenario asks; the last running request is picked (LCFS). */
const pinned: FleetScheduler = {
  dispatch: (_request: ArrivingRequest): Verdict<number> => ({ ok: true, value: 0, policy: 'fig10-pinned' }),
  onReport: () => [],
  selectRequest: (running) => running[running.length - 1]?.id,
  scaling: undefined,
  onScalingTick: () => [],
};

export interface ScenarioResult {
  /** The migration's suspension (ms); undefined without a migration. */
  readonly downtime_ms: number | undefined;
  readonly window: readonly [number, number] | undefined;
  /** Instance 0's decode steps: start time and duration (ms). */
  readonly decodes: readonly { start_s: number; ms: number }[];
}

/**
 * Fig. 10's setup (reference §8.4): 2 instances, a burst of 8192/L requests of prompt L − 8
 * and 64 output tokens, all on instance 0; once every request decodes (8 tokens in), one
 * request is migrated 0 → 1 — unless `migrate` is false, the "normal" run.
 */
export function runScenario(model: Fig10Model, length: number, migration: Partial<MigrationParams> | false): ScenarioResult {
  const sim = new Simulation(0);
  const params = MigrationParams.parse(migration === false ? {} : migration);
  const cluster = new SimCluster(
    sim,
    {
      instances: 2,
      limits: { total_blocks: model.total_blocks, watermark_blocks: Math.floor(model.total_blocks * 0.01), block_size_tokens: 16, max_num_batched_tokens: 11_800, max_num_seqs: 256 },
      perf: fittedPerfModel(model.label, model.perf),
      copy: linkCopyModel({ bytes_per_block: model.bytes_per_block, bandwidth_gbps: params.bandwidth_gbps, stage_overhead_ms: params.stage_overhead_ms }),
      migration: params,
      startup_s: 0,
    },
    pinned,
  );
  const count = Math.max(1, Math.floor(8192 / length));
  cluster.load(Array.from({ length: count }, (_, id) => ({ id, arrival_s: 0, prompt_tokens: length - 8, output_tokens: 64, priority: 'normal' as const })));
  const source = cluster.instances[0]!;
  const decodes: { start_s: number; ms: number }[] = [];
  let started = false;
  let lastSteps = 0;
  let plan = source.current;
  let planStart = 0;
  sim.run({
    afterEach: () => {
      if (source.steps > lastSteps) {
        if (plan !== undefined && plan.prefills.length === 0) decodes.push({ start_s: planStart, ms: (source.current_end_s - planStart) * 1e3 });
        lastSteps = source.steps;
      }
      if (source.current !== undefined && source.current !== plan) {
        // An iteration is planned at its start event: now is its start time.
        plan = source.current;
        planStart = sim.now_s;
      }
      if (!started && migration !== false && cluster.requests.every((r) => r.generated >= 8)) {
        started = true;
        const refused = cluster.tryMigrate(0, 1);
        if (refused !== undefined) throw new Error(`fig10: migration at L=${length} refused: ${refused}`);
      }
    },
  });
  const record = cluster.migrations[0];
  return {
    downtime_ms: record === undefined ? undefined : record.downtime_s * 1e3,
    window: record === undefined ? undefined : [record.started_s, record.ended_s],
    decodes,
  };
}
