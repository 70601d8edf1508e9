import { z } from 'zod';
import { FolderName } from '../../config/index.ts';
import { SchedulerSpec } from '../../policies/index.ts';
import { WorkloadConfigSchema } from '../../traces/index.ts';
import { GoodputSlo, MetricPercentiles, PercentileMetrics, VLLM_METRICS } from '../../metrics/vllm-keys.ts';
import { MigrationParams } from '../migration/index.ts';
import { ClusterConfig } from './cluster-config.ts';
import { ModelConfig } from './model-config.ts';

/** Everything one simulated run needs. One seed drives every random stream. */
export const RunConfig = z.strictObject({
  /** Names the results folder (one folder name: it cannot leave results/) and the system in comparisons. */
  name: FolderName.default('run'),
  /** Label of the system (e.g. "Llumnix"); defaults to the name. */
  system: z.string().optional(),
  seed: z.number().int().nonnegative().default(0),
  cluster: ClusterConfig.prefault({}),
  model: ModelConfig.prefault({}),
  migration: MigrationParams.prefault({}),
  scheduler: SchedulerSpec,
  workload: WorkloadConfigSchema,
  metrics: z
    .strictObject({
      /** Period of the instance load samples written to instances.csv. */
      sample_interval_s: z.number().positive().default(1),
      /**
       * Budget of instances.csv rows (instances × ticks). Past it the interval doubles (as often
       * as needed) so memory stays bounded; summary.json says which interval was used.
       */
      max_sample_rows: z.number().int().positive().max(50_000_000).default(500_000),
      /** summary.json `vllm_bench`: vLLM's result keys (`--percentile-metrics`, `--metric-percentiles`, `--goodput`). */
      vllm_bench: z
        .strictObject({
          /** Metrics that get mean/median/std/percentile keys: ttft, tpot, itl, e2el. */
          percentile_metrics: PercentileMetrics.default([...VLLM_METRICS]),
          /** Percentiles in (0, 100] written for each metric (p99 → `p99_ttft_ms`). */
          metric_percentiles: MetricPercentiles.default([99]),
          /** SLOs in milliseconds for `request_goodput` (vLLM's `--goodput ttft:500`); null without. */
          goodput: GoodputSlo.optional(),
        })
        .prefault({}),
    })
    .prefault({}),
}).superRefine((config, ctx) => {
  // A fleet that starts above its own scaling cap would be scaled in at the first check: almost
  // certainly a typo, and the results would not show the fleet the user asked for.
  const max = config.scheduler.scaling?.max_instances;
  if (max !== undefined && config.cluster.instances > max) {
    ctx.addIssue({ code: 'custom', path: ['cluster', 'instances'], input: config.cluster.instances, message: `at most scheduler.scaling.max_instances (${max})` });
  }
});
export type RunConfig = z.output<typeof RunConfig>;
export type RunConfigInput = z.input<typeof RunConfig>;
