export { ClusterConfig, EngineSpec } from './cluster-config.ts';
export { ModelConfig, PerfSpec } from './model-config.ts';
export { parseRunConfig, parseWith } from './parse.ts';
export { RunConfig, type RunConfigInput } from './run-config.ts';
export { GpuSpec, planMemory, type MemoryPlan, type PlannedModel } from './memory-plan.ts';
