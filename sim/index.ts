/** fleetlab's discrete-event simulator: the public face. */
export { buildPerfModel } from './build-perf.ts';
export { SimCluster, TimeWeighted, type FleetScheduler, type Rejection, type SimClusterOptions } from './cluster/index.ts';
export { ClusterConfig, ModelConfig, parseRunConfig, parseWith, PerfSpec, RunConfig, type RunConfigInput } from './config/index.ts';
export { ConfigError, InvariantError } from './errors.ts';
export { Engine, SimInstance, SimRequest, type EngineLimits, type StepPlan } from './instance/index.ts';
export { Band, eventBefore, EventQueue, RngStreams, Simulation, type QueuedEvent, type Rng } from './kernel/index.ts';
export { LiveMigration, MigrationParams, type AbortReason, type MigrationRecord } from './migration/index.ts';
export * from './perf/index.ts';
export { simulate, type InstanceSample, type SimRunResult, type SimulateOptions } from './run.ts';
