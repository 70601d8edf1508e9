/** fleetlab's discrete-event simulator: the public face. */
export { buildPerfModel, resolveProfilePath } from './build-perf.ts';
export { SimCluster, TimeWeighted, type Rejection, type SimClusterOptions } from './cluster/index.ts';
/** Re-exported for callers of `SimCluster`; the port lives in policies/ (the backend implements it too). */
export type { FleetScheduler } from '../policies/index.ts';
export { ClusterConfig, GpuSpec, ModelConfig, parseRunConfig, parseWith, PerfSpec, planMemory, RunConfig, type MemoryPlan, type RunConfigInput } from './config/index.ts';
export { ConfigError, InvariantError } from './errors.ts';
export { requestRecord, SimInstance, SimRequest, type SimEngine } from './instance/index.ts';
export type { EngineKind, EngineLimits, StepPlan } from '../engine/index.ts';
export { Band, eventBefore, EventQueue, RngStreams, Simulation, type QueuedEvent, type Rng } from './kernel/index.ts';
export { LiveMigration, MigrationParams, type AbortReason, type MigrationRecord } from './migration/index.ts';
export * from './perf/index.ts';
export { simulate, type InstanceSample, type SimRunResult, type SimulateOptions } from './run.ts';
