import { TraceError } from '../errors.ts';

/**
 * Field parsers shared by the loaders. Each one either returns a clean number or throws a
 * TraceError naming file, line, field, the raw value and what was expected, so a bad cell
 * deep in a 1 M-row file is found without a debugger.
 */
export interface Where {
  readonly file: string;
  readonly line?: number;
  readonly entry?: number;
}

/** A non-negative integer token count; accepts "12" and "12.0" (pandas writes the latter), nothing fractional. */
export function parseTokens(raw: unknown, where: Where, field: string): number {
  const value = typeof raw === 'string' ? raw.trim() : raw;
  let n = Number.NaN;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^\+?\d+(\.0*)?$/.test(value)) n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new TraceError({ ...where, field, value: raw, expected: 'a non-negative integer token count' });
  }
  return n;
}

/** A finite, non-negative number of seconds (or milliseconds; the caller converts). */
export function parseTime(raw: unknown, where: Where, field: string, unit: string): number {
  const value = typeof raw === 'string' ? raw.trim() : raw;
  const n = typeof value === 'number' ? value : typeof value === 'string' && value !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(n) || n < 0) {
    throw new TraceError({ ...where, field, value: raw, expected: `a finite, non-negative time in ${unit}` });
  }
  return n;
}
