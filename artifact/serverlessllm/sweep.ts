/** Latency-vs-rate sweeps: one run per (dataset, rate, variant). */
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

export function sweepPlacements(plan: SweepPlan, placements: readonly PlacementKind[]): SweepRow[] {
  const rows: SweepRow[] = [];
  for (const dataset of plan.datasets) {
    for (const rate of plan.rates) {
      const requests = workload(plan.shape, dataset, rate, plan.requests, plan.seed);
      for (const p of placements) rows.push(row(dataset, rate, p, summarizeServerless(runServerless(clusterConfig(plan.shape, 'placement-study', p, plan.seed), requests))));
    }
  }
  return rows;
}

export function sweepSystems(plan: SweepPlan, systems: readonly SystemName[]): SweepRow[] {
  const rows: SweepRow[] = [];
  for (const dataset of plan.datasets) {
    for (const rate of plan.rates) {
      const requests = workload(plan.shape, dataset, rate, plan.requests, plan.seed);
      for (const s of systems) rows.push(row(dataset, rate, s, summarizeServerless(runServerless(clusterConfig(plan.shape, s, undefined, plan.seed), requests))));
    }
  }
  return rows;
}
