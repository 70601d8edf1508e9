/** Placement specs (zod, discriminated on `kind`) and the registry that builds them. */
import { z } from 'zod';
import { parseSpec } from '../errors.ts';
import { makeRegistry } from '../registry.ts';
import { AVAILABILITY, availabilityPlacement } from './availability.ts';
import { LOCALITY_MIGRATE, localityMigratePlacement } from './locality-migrate.ts';
import { LOCALITY_WAIT, localityWaitPlacement } from './locality-wait.ts';
import { PREEMPT, preemptPlacement } from './preempt.ts';
import type { PlacementPolicy } from './view.ts';

export const PlacementSpec = z.discriminatedUnion('kind', [
  /** First node with free GPUs, wherever the checkpoint is (the "Serverless" baseline). */
  z.strictObject({ kind: z.literal(AVAILABILITY) }),
  /** Only nodes holding the checkpoint; wait while they are busy. */
  z.strictObject({ kind: z.literal(LOCALITY_WAIT) }),
  /** Kill running instances on the node holding the checkpoint (Shepherd*). */
  z.strictObject({ kind: z.literal(PREEMPT) }),
  /** ServerlessLLM: minimum estimated startup over loads and live migrations. */
  z.strictObject({
    kind: z.literal(LOCALITY_MIGRATE),
    /** false: the same estimator without migration plans (upstream without --enable-migration). */
    migration: z.boolean().default(true),
  }),
]);
export type PlacementSpec = z.output<typeof PlacementSpec>;
export type PlacementSpecInput = z.input<typeof PlacementSpec>;
export const PLACEMENT_KINDS = PlacementSpec.options.map((o) => o.shape.kind.value);

const registry = makeRegistry<PlacementSpec, Record<string, never>, PlacementPolicy>('placement', PLACEMENT_KINDS, [
  { kind: AVAILABILITY, build: () => availabilityPlacement() },
  { kind: LOCALITY_WAIT, build: () => localityWaitPlacement() },
  { kind: PREEMPT, build: () => preemptPlacement() },
  { kind: LOCALITY_MIGRATE, build: (spec) => localityMigratePlacement({ migration: spec.migration }) },
]);

/** Validates `spec` (throws `ConfigError` naming field, value, expectation) and builds it. */
export function createPlacementPolicy(spec: PlacementSpecInput | unknown): PlacementPolicy {
  return registry.build(parseSpec('placement', PlacementSpec, spec), {});
}
