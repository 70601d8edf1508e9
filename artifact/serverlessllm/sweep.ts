/** Latency-vs-rate sweeps: one run per (dataset, rate, variant). */
import { Piscina } from 'piscina';
import { runServerless, summarizeServerless, type ServerlessSummary } from '../../sim/serverless/index.ts';
import { clusterConfig, type ClusterShape, type Dataset, type PlacementKind, type SystemName, workload } from './setups.ts';

export type SweepRow = {
  readonly dataset: Dataset;
  readonly rate_per_s: number;
  readonly variant: string;
  readonly ttft_mean_s: number;
  readonly ttft_p99_s: number;
  readonly e2e_mean_s: number;
  readonly e2e_p99_s: number;
  readonly loads_dram: number;
  readonly loads_ssd: number;
  readonly loads_remote: number;
  readonly migrations: number;
  readonly preemptions: number;
  readonly completed: number;
};

function row(dataset: Dataset, rate: number, variant: string, s: ServerlessSummary): SweepRow {
  return {
    dataset,
    rate_per_s: rate,
    variant,
    ttft_mean_s: s.ttft_s.mean,
    ttft_p99_s: s.ttft_s.p99,
    e2e_mean_s: s.e2e_s.mean,
    e2e_p99_s: s.e2e_s.p99,
    loads_dram: s.loads_by_tier.dram,
    loads_ssd: s.loads_by_tier.ssd,
    loads_remote: s.loads_by_tier.remote,
    migrations: s.migrations_switched,
    preemptions: s.preemptions,
    completed: s.completed,
  };
}

export interface SweepPlan {
  readonly shape: ClusterShape;
  readonly datasets: readonly Dataset[];
  readonly rates: readonly number[];
  readonly requests: number;
  readonly seed: number;
}

/** One run of a sweep, as plain data (it crosses to a worker thread). */
export interface SweepTask {
  readonly shape: ClusterShape;
  readonly dataset: Dataset;
  readonly rate_per_s: number;
  readonly requests: number;
  readonly seed: number;
  /** A placement policy of the placement study, or a system of the end-to-end comparison. */
  readonly kind: 'placement' | 'system';
  readonly variant: string;
}

/** Runs one task. Every variant at one (dataset, rate) generates the same requests from the seed. */
export function runTask(t: SweepTask): SweepRow {
  const requests = workload(t.shape, t.dataset, t.rate_per_s, t.requests, t.seed);
  const config = t.kind === 'placement' ? clusterConfig(t.shape, 'placement-study', t.variant as PlacementKind, t.seed) : clusterConfig(t.shape, t.variant as SystemName, undefined, t.seed);
  return row(t.dataset, t.rate_per_s, t.variant, summarizeServerless(runServerless(config, requests)));
}

/** The tasks of a sweep, in a fixed order (dataset, rate, variant): results do not depend on the worker count. */
export function sweepTasks(plan: SweepPlan, kind: SweepTask['kind'], variants: readonly string[]): SweepTask[] {
  return plan.datasets.flatMap((dataset) =>
    plan.rates.flatMap((rate_per_s) => variants.map((variant) => ({ shape: plan.shape, dataset, rate_per_s, requests: plan.requests, seed: plan.seed, kind, variant }))),
  );
}

/** Runs tasks on `workers` threads (1 = on this thread), ticking `onDone` per finished task; rows in task order. */
export async function runTasks(tasks: readonly SweepTask[], workers: number, onDone: (t: SweepTask) => void = () => {}): Promise<SweepRow[]> {
  if (workers <= 1) {
    return tasks.map((t) => {
      const r = runTask(t);
      onDone(t);
      return r;
    });
  }
  const pool = new Piscina<SweepTask, SweepRow>({ filename: new URL('./worker.mjs', import.meta.url).href, maxThreads: workers, minThreads: Math.min(workers, tasks.length) });
  try {
    return await Promise.all(
      tasks.map(async (t) => {
        const r = await pool.run(t);
        onDone(t);
        return r;
      }),
    );
  } finally {
    await pool.destroy();
  }
}
