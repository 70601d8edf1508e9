/**
 * fleetlab policies — the public face. Pure decision logic on `ClusterView`s: dispatch,
 * migration pairing, request selection, migration triggers, composed by `GlobalScheduler`.
 */
export * from './view.ts';
export type * from './types.ts';

export { ConfigError, PolicyInputError } from './errors.ts';

// Load metrics
export {
  availableBlocks,
  dispatchFreeness,
  migrationFreeness,
  plainFreeness,
} from './load/freeness.ts';
export { DEFAULT_LOAD_OPTIONS, priorityHeadroomBlocks, QueuedDemand, type LoadOptions } from './load/options.ts';

// Dispatch
export { activeOnly, makeDispatchPolicy, type Candidate, type DispatchFilter, type DispatchScorer, type TieBreak } from './dispatch/framework.ts';
export { roundRobinDispatch } from './dispatch/round-robin.ts';
export { loadDispatch } from './dispatch/load.ts';
export { leastRequestsDispatch } from './dispatch/least-requests.ts';
export { leastOutstandingDispatch } from './dispatch/least-outstanding.ts';
export { randomDispatch, type Rng } from './dispatch/random.ts';
export { createDispatchPolicy, DispatchSpec, type DispatchDeps, type DispatchSpecInput } from './dispatch/spec.ts';

// Migration pairing
export { defragPairing } from './migration/defrag.ts';
export { balancedPairing, type BalancedOptions } from './migration/balanced.ts';
export type { PairingOptions } from './migration/common.ts';
export { createPairingPolicy, PairingSpec, type PairingSpecInput } from './migration/spec.ts';

// Request selection
export { lcfsSelector } from './selection/lcfs.ts';
export { longestSelector, shortestSelector } from './selection/by-length.ts';
export { createRequestSelector, SelectorSpec, type SelectorSpecInput } from './selection/spec.ts';

// Triggers
export { everyReportsTrigger } from './trigger/every-reports.ts';
export { everyIntervalTrigger } from './trigger/every-interval.ts';
export { createMigrationTrigger, TriggerSpec, type TriggerSpecInput } from './trigger/spec.ts';

// Auto-scaling
export { createScalingPolicy, fleetDispatchFreeness, fleetFreenessWithout, loadScaling, ScalingSpec, type ScalingSpecInput } from './scaling/index.ts';

// ServerlessLLM placement
export * from './placement/index.ts';

// Composition and presets
export {
  createScheduler,
  GlobalScheduler,
  SchedulerSpec,
  type SchedulerParts,
  type SchedulerSpecInput,
} from './scheduler.ts';
export { createPreset, PRESET_NAMES, PRESETS, type PresetName } from './presets.ts';

// The port a cluster (simulated or real) drives the global scheduler through
export type { FleetScheduler } from './port.ts';

// ServerlessLLM per-model routing, auto-scaling and keep-alive
export * from './serverless/index.ts';
