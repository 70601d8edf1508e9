/**
 * The policies' small error family. "No" is data (`Verdict`); these are for the two other
 * cases: a spec that cannot be built (`PolicyConfigError`, the caller's mistake) and a value a
 * policy cannot reason about (`PolicyInputError`, a NaN or ±Infinity where a count belongs —
 * a bug upstream that must fail loudly rather than silently sort somewhere).
 */
import type { z } from 'zod';

/** A policy spec failed validation; the message names the field, the value and the expectation. */
export class PolicyConfigError extends Error {
  override readonly name = 'PolicyConfigError';
  constructor(
    /** Dotted path of the offending field, e.g. `dispatch.migrate_threshold`. */
    readonly field: string,
    readonly expected: string,
    readonly received: unknown,
    options?: ErrorOptions,
  ) {
    super(`Expected ${field} ${expected}, received ${show(received)}`, options);
  }
}

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

/** Renders a received value for an error message; functions and undefined are named, not JSON'd. */
export function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Parses `input` with `schema`; on failure throws a `PolicyConfigError` for the first issue,
 * with the field path prefixed by `family` (so `dispatch.kind`, `pairing.migrate_threshold`).
 */
export function parseSpec<S extends z.ZodType>(family: string, schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue === undefined) throw new PolicyConfigError(family, 'to be a valid spec', input);
  const path = issue.path.map(String);
  // An unknown key is reported on its parent; name the key itself.
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  const field = [family, ...path].join('.');
  return raise(field, expectation(issue), valueAt(input, path), result.error);
}

/** Rewords a zod issue as the tail of "Expected <field> …" (ConfigError style). */
function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `to be ${issue.expected === 'int' ? 'an integer' : withArticle(issue.expected)}`;
    case 'invalid_value':
      return `to be one of ${issue.values.map((v) => JSON.stringify(v)).join(' | ')}`;
    case 'unrecognized_keys':
      return 'not to be set (unknown option)';
    case 'invalid_union':
      // zod: "Invalid discriminator value. Expected 'a' | 'b'"
      return `to be one of ${issue.message.replace(/^.*Expected\s*/, '')}`;
    case 'too_small':
    case 'too_big':
      // zod: "Too small: expected number to be >0"
      return issue.message.replace(/^.*expected \w+ /, '');
    default:
      return issue.message;
  }
}

function withArticle(noun: string): string {
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

function raise(field: string, expected: string, received: unknown, cause: unknown): never {
  throw new PolicyConfigError(field, expected, received, { cause });
}

function valueAt(input: unknown, path: readonly string[]): unknown {
  let at: unknown = input;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}
