/**
 * Placement policies for serverless LLM serving (ServerlessLLM §5): where a new instance of an
 * on-demand model goes, given checkpoint locality, loading queues and running inferences.
 * Pure: they read a `PlacementView` and return a `PlacementDecision`.
 */
export * from './view.ts';
export { bestTier, estimateLoad, estimateRemaining, estimateResume, holdsLocally, pathBandwidth, tokensSoFar } from './estimate.ts';
export { isIdle, reclaimableGpus, takeGpus, type Capacity } from './capacity.ts';
export { planMigrations, type MigrationPlan } from './migration-plan.ts';
export { AVAILABILITY, availabilityPlacement } from './availability.ts';
export { LOCALITY_WAIT, localityWaitPlacement } from './locality-wait.ts';
export { PREEMPT, preemptPlacement } from './preempt.ts';
export { LOCALITY_MIGRATE, localityMigratePlacement } from './locality-migrate.ts';
export { createPlacementPolicy, PLACEMENT_KINDS, PlacementSpec, type PlacementSpecInput } from './spec.ts';
