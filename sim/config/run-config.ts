import { z } from 'zod';
import { SchedulerSpec } from '../../policies/index.ts';
import { WorkloadConfigSchema } from '../../traces/index.ts';
import { MigrationParams } from '../migration/index.ts';
import { ClusterConfig } from './cluster-config.ts';
import { ModelConfig } from './model-config.ts';

/** Everything one simulated run needs. One seed drives every random stream. */
export const RunConfig = z.strictObject({
  /** Names the results folder and the system in comparisons. */
  name: z.string().min(1).default('run'),
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
    })
    .prefault({}),
});
export type RunConfig = z.output<typeof RunConfig>;
export type RunConfigInput = z.input<typeof RunConfig>;
