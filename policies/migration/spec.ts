/**
 * Pairing specs (zod, discriminated on `kind`) and their factory.
 */
import { z } from 'zod';
import { parseSpec } from '../errors.ts';
import { migrationLoadFields } from '../load/options.ts';
import { makeRegistry } from '../registry.ts';
import type { PairingPolicy } from '../types.ts';
import { BALANCED, balancedPairing } from './balanced.ts';
import { DEFAULT_MAX_CONCURRENCY, DEFAULT_MIGRATE_THRESHOLD } from './common.ts';
import { DEFRAG, defragPairing } from './defrag.ts';

const pairingFields = {
  /**
   * T in freeness units (KV blocks per request): sources below, destinations above.
   * 3 in most paper runs, 10 for M-M and S-L.
   */
  migrate_threshold: z.number().default(DEFAULT_MIGRATE_THRESHOLD),
  /** Most concurrent migrations per instance (source or destination side). */
  max_concurrency: z.number().int().positive().default(DEFAULT_MAX_CONCURRENCY),
  ...migrationLoadFields,
};

export const PairingSpec = z.discriminatedUnion('kind', [
  /** Llumnix (artifact) pairing on de-fragmentation freeness. */
  z.strictObject({ kind: z.literal(DEFRAG), ...pairingFields }),
  /** Pairing with "destination stays above T" and "gap shrinks" guards. */
  z.strictObject({
    kind: z.literal(BALANCED),
    ...pairingFields,
    /** Rank by the de-fragmentation metric instead of A / R (artifact: off). */
    defrag: z.boolean().default(false),
  }),
]);
export type PairingSpec = z.output<typeof PairingSpec>;
export type PairingSpecInput = z.input<typeof PairingSpec>;

const registry = makeRegistry<PairingSpec, undefined, PairingPolicy>(
  'pairing',
  PairingSpec.options.map((o) => o.shape.kind.value),
  [
    { kind: DEFRAG, build: (spec) => defragPairing(spec) },
    { kind: BALANCED, build: (spec) => balancedPairing(spec) },
  ],
);

/** Validates `spec` (throws `ConfigError` naming field, value, expectation) and builds it. */
export function createPairingPolicy(spec: PairingSpecInput | unknown): PairingPolicy {
  return registry.build(parseSpec('pairing', PairingSpec, spec), undefined);
}
