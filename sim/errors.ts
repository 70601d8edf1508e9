/**
 * The error family of the simulator. A `ConfigError` names the option, what was expected and
 * what it received ("run.yaml:workload.arrival.rate_per_s: expected number to be >0, received -2").
 */
function show(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return JSON.stringify(value) ?? String(value);
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly field: string,
    readonly received: unknown,
    readonly expected: string,
    options?: { cause?: unknown },
  ) {
    const expectation = /^expected\b/i.test(expected) ? expected : `expected ${expected}`;
    super(`${field}: ${expectation}, received ${show(received)}`, options);
  }
}

/** A broken invariant of the simulation: always a bug, never a user error. */
export class InvariantError extends Error {
  override readonly name = 'InvariantError';
}
