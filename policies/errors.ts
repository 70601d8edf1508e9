/**
 * The policies' errors. "No" is data (`Verdict`); these are for the two other cases: a spec
 * that cannot be built (the project's `ConfigError`, the caller's mistake) and a value a policy
 * cannot reason about (`PolicyInputError`, a NaN or ±Infinity where a count belongs — a bug
 * upstream that must fail loudly rather than silently sort somewhere).
 */
import type { z } from 'zod';
import { parseConfig } from '../config/index.ts';

export { ConfigError } from '../config/index.ts';

/** A report field or a computed metric is not a usable number: a bug, never a decision. */
export class PolicyInputError extends Error {
  override readonly name = 'PolicyInputError';
  constructor(
    readonly policy: string,
    readonly metric: string,
    readonly instance: number,
    readonly value: number,
  ) {
    super(`${policy}: ${metric} of instance ${instance} is ${value}; expected a finite number`);
  }
}

/**
 * Parses `input` with `schema`; on failure throws the project's `ConfigError`, its options
 * prefixed by `family` (so `dispatch.kind`, `pairing.migrate_threshold`).
 */
export function parseSpec<S extends z.ZodType>(family: string, schema: S, input: unknown): z.output<S> {
  return parseConfig(schema, input, family);
}
