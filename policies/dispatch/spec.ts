/**
 * Dispatch specs (zod, discriminated on `kind`) and the factory that validates and builds them.
 */
import { z } from 'zod';
import { ConfigError, parseSpec } from '../errors.ts';
import { priorityOptionFields } from '../load/options.ts';
import { makeRegistry } from '../registry.ts';
import type { DispatchPolicy } from '../types.ts';
import { LEAST_OUTSTANDING, leastOutstandingDispatch } from './least-outstanding.ts';
import { LEAST_REQUESTS, leastRequestsDispatch } from './least-requests.ts';
import { LOAD, loadDispatch } from './load.ts';
import { RANDOM, randomDispatch, type Rng } from './random.ts';
import { ROUND_ROBIN, roundRobinDispatch } from './round-robin.ts';

/**
 * Which state dispatch reads (every kind): `reports`, the last step report of each instance (the
 * default, what Llumnix's manager and the real backend see), or `live`, the instances' state at
 * the arrival (what Vidur reads; simulator only). Absent rather than defaulted, so config.json of
 * existing runs is unchanged.
 */
const reads = z.enum(['reports', 'live']).optional();

export const DispatchSpec = z.discriminatedUnion('kind', [
  /** Fewest dispatched so far (Llumnix `balanced`, the paper's Round-Robin). */
  z.strictObject({ kind: z.literal(ROUND_ROBIN), reads }),
  /** Highest dispatch freeness after a round-robin warm-up (INFaaS++, Llumnix). */
  z.strictObject({ kind: z.literal(LOAD), ...priorityOptionFields, reads }),
  /** Fewest running + waiting requests. */
  z.strictObject({ kind: z.literal(LEAST_REQUESTS), reads }),
  /** Fewest waiting requests, ties to the lowest id (Vidur's `lor`); reads live state unless `reads: reports`. */
  z.strictObject({ kind: z.literal(LEAST_OUTSTANDING), reads }),
  /** Uniform over active instances; needs `deps.rng`. */
  z.strictObject({ kind: z.literal(RANDOM), reads }),
]);
/** A validated dispatch spec (defaults filled in). */
export type DispatchSpec = z.output<typeof DispatchSpec>;
/** A dispatch spec as written in a config (defaults optional). */
export type DispatchSpecInput = z.input<typeof DispatchSpec>;

/** What a dispatch policy may need from its caller; only `random` uses `rng`. */
export interface DispatchDeps {
  /** Uniform draws in [0, 1) from a seeded stream. */
  readonly rng?: Rng;
}

const registry = makeRegistry<DispatchSpec, DispatchDeps, DispatchPolicy>(
  'dispatch',
  DispatchSpec.options.map((o) => o.shape.kind.value),
  [
    { kind: ROUND_ROBIN, build: () => roundRobinDispatch() },
    { kind: LEAST_REQUESTS, build: () => leastRequestsDispatch() },
    { kind: LEAST_OUTSTANDING, build: () => leastOutstandingDispatch() },
    {
      kind: LOAD,
      // F_d always charges every waiting request (ΣQ); queued_demand only matters for migration.
      build: (spec) =>
        loadDispatch({
          queued_demand: 'all-waiting',
          priority_aware: spec.priority_aware,
          priority_headroom_blocks: spec.priority_headroom_blocks,
        }),
    },
    {
      kind: RANDOM,
      build: (_spec, deps) => {
        if (typeof deps.rng !== 'function') {
          throw ConfigError.single('dispatch.rng', 'to be a seeded () => number supplied by the caller', deps.rng);
        }
        return randomDispatch(deps.rng);
      },
    },
  ],
);

/** Validates `spec` (throws `ConfigError` naming field, value, expectation) and builds it. */
export function createDispatchPolicy(spec: DispatchSpecInput | unknown, deps: DispatchDeps = {}): DispatchPolicy {
  const parsed = parseSpec('dispatch', DispatchSpec, spec);
  const policy = registry.build(parsed, deps);
  const readsLive = parsed.reads === 'live' || (parsed.reads === undefined && parsed.kind === LEAST_OUTSTANDING);
  return readsLive ? { ...policy, reads: 'live' } : policy;
}
