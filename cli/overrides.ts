import { ConfigError } from '../sim/index.ts';

/** Keys that reach an object's prototype: refused everywhere a user's key names a field. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Applies `--set a.b.c=value` overrides to a plain config object. The value is read as JSON
 * when it parses (numbers, booleans, objects), else as a string.
 */
export function applyOverrides(config: Record<string, unknown>, sets: readonly string[]): Record<string, unknown> {
  const out = structuredClone(config);
  for (const set of sets) {
    const eq = set.indexOf('=');
    if (eq <= 0) throw ConfigError.single('--set', 'key=value with a dotted key, e.g. workload.arrival.rate_per_s=7.5', set);
    const path = set.slice(0, eq).split('.');
    const bad = path.find((key) => key === '' || FORBIDDEN_KEYS.has(key));
    if (bad !== undefined) {
      throw ConfigError.single('--set', `a dotted key of config field names (not "${bad}": empty parts and __proto__, constructor, prototype are refused)`, set);
    }
    const raw = set.slice(eq + 1);
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    let at: Record<string, unknown> = out;
    for (const key of path.slice(0, -1)) {
      const next = Object.hasOwn(at, key) ? at[key] : undefined;
      if (next === undefined) at[key] = {};
      else if (next === null || typeof next !== 'object' || Array.isArray(next)) {
        throw ConfigError.single(`--set ${set}`, `an object at "${key}" to set a field inside`, next);
      }
      at = at[key] as Record<string, unknown>;
    }
    at[path[path.length - 1] as string] = value;
  }
  return out;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Discriminators of the config unions: a different value means a different shape. */
const DISCRIMINATORS = ['kind', 'format'] as const;
/** Fields whose alternatives are different keys (`prompt` + `output` or `paired`): never merged. */
const REPLACED_WHOLE = new Set(['lengths']);

/**
 * Deep merge for configs: objects merge, everything else (arrays included) replaces. An object
 * whose `kind` (or `format`) differs from the base's replaces it whole: a `replay` arrival
 * must not inherit the `rate_per_s` of the `poisson` one it overrides. `lengths` always
 * replaces whole.
 */
export function mergeConfig(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (FORBIDDEN_KEYS.has(key)) throw ConfigError.single(key, 'absent (a config field name; __proto__, constructor and prototype are refused)', value);
    const prev = Object.hasOwn(out, key) ? out[key] : undefined;
    const sameShape =
      !REPLACED_WHOLE.has(key) &&
      isPlainObject(prev) &&
      isPlainObject(value) &&
      DISCRIMINATORS.every((d) => value[d] === undefined || value[d] === prev[d]);
    out[key] = sameShape ? mergeConfig(prev, value) : value;
  }
  return out;
}
