import { z } from 'zod';
import { FolderName } from '../../config/index.ts';
import { SchedulerSpec } from '../../policies/index.ts';
import { WorkloadConfigSchema } from '../../traces/index.ts';
import { GoodputSlo, MetricPercentiles, PercentileMetrics, VLLM_METRICS } from '../../metrics/vllm-keys.ts';
import { MigrationParams } from '../migration/index.ts';
import { type ClusterConfig as ResolvedCluster, ClusterConfig, DEFAULT_TOTAL_BLOCKS } from './cluster-config.ts';
import { planMemory } from './memory-plan.ts';
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
      /** Also write steps.csv: one row per engine step (`fleetlab run --steps`). No default, so config.json of older runs is unchanged. */
      steps: z.boolean().optional(),
      /** Also write trace.json, a Chrome/Perfetto trace of the steps and migrations (`fleetlab run --trace-json`). */
      trace_json: z.boolean().optional(),
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
  const gpu = config.cluster.gpu;
  if (gpu !== undefined && config.cluster.total_blocks === undefined) {
    const plan = planMemory(gpu, config.model, config.cluster.block_size_tokens);
    if (typeof plan === 'string') ctx.addIssue({ code: 'custom', path: ['cluster', 'gpu'], input: gpu, message: plan });
  }
  // A Vidur profile of another tensor-parallel degree would price the wrong GPUs.
  const perf = config.model.perf;
  if (gpu !== undefined && perf.kind === 'vidur' && perf.tp !== gpu.tensor_parallel) {
    ctx.addIssue({ code: 'custom', path: ['model', 'perf', 'tp'], input: perf.tp, message: `cluster.gpu.tensor_parallel (${gpu.tensor_parallel})` });
  }
}).transform((config) => ({ ...config, cluster: resolveTotalBlocks(config.cluster, config.model) }));
export type RunConfig = z.output<typeof RunConfig>;

/**
 * total_blocks as given, else planned from cluster.gpu, else the default; kept second in the
 * object (where the schema declares it) so config.json of existing runs is byte-identical.
 */
function resolveTotalBlocks(cluster: z.output<typeof ClusterConfig>, model: z.output<typeof ModelConfig>): ResolvedCluster {
  let total_blocks = cluster.total_blocks ?? DEFAULT_TOTAL_BLOCKS;
  if (cluster.total_blocks === undefined && cluster.gpu !== undefined) {
    const plan = planMemory(cluster.gpu, model, cluster.block_size_tokens);
    if (typeof plan !== 'string') total_blocks = plan.total_blocks;
  }
  const { instances, total_blocks: _given, ...rest } = cluster;
  return { instances, total_blocks, ...rest };
}
export type RunConfigInput = z.input<typeof RunConfig>;
