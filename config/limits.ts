import { z } from 'zod';

/**
 * Size limits checked before anything is allocated, so a typo (num_requests: 1e12) fails at
 * once with a clear error instead of exhausting the heap minutes later. Each can be raised
 * with its environment variable, for a machine with the memory to match.
 */
export interface Limit {
  readonly env: string;
  readonly default: number;
  /** What is counted, for the message. */
  readonly what: string;
}

export const LIMITS = {
  requests: { env: 'FLEETLAB_MAX_REQUESTS', default: 5_000_000, what: 'requests' },
  instances: { env: 'FLEETLAB_MAX_INSTANCES', default: 4096, what: 'instances' },
  traceRows: { env: 'FLEETLAB_MAX_TRACE_ROWS', default: 10_000_000, what: 'trace rows' },
  traceBytes: { env: 'FLEETLAB_MAX_TRACE_BYTES', default: 2 * 1024 ** 3, what: 'bytes of trace file' },
} as const satisfies Record<string, Limit>;

/** The limit's value now (the environment variable when set to a positive integer). */
export function limitValue(limit: Limit): number {
  const raw = process.env[limit.env];
  const n = raw === undefined || raw.trim() === '' ? Number.NaN : Number(raw);
  return Number.isSafeInteger(n) && n > 0 ? n : limit.default;
}

/** "at most N requests (fleetlab's memory bound; set FLEETLAB_MAX_REQUESTS=M to raise it)". */
export function limitMessage(limit: Limit): string {
  return `at most ${limitValue(limit)} ${limit.what} (a bound on memory; set ${limit.env} to raise it)`;
}

/** A zod integer field bounded by a limit, checked when the config is parsed. */
export function limitedInt(limit: Limit): z.ZodNumber {
  return z.number().int().positive().check((ctx) => {
    if (ctx.value > limitValue(limit)) ctx.issues.push({ code: 'custom', message: limitMessage(limit), input: ctx.value });
  }) as unknown as z.ZodNumber;
}
