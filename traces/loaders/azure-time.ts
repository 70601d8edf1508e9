import { TraceError } from '../errors.ts';
import type { Where } from './fields.ts';

/**
 * An Azure trace wall-clock stamp, e.g. "2023-11-16 18:17:03.9799600" (7-digit fraction, no
 * zone). Kept as whole seconds + nanoseconds: seconds since 1970 times 10^7 exceeds 2^53, so a
 * single double would lose the sub-millisecond part the trace records.
 */
export interface WallClock {
  readonly epoch_s: number;
  readonly nanos: number;
}

const STAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

/** Parses the stamp as UTC (the trace has no zone; only differences are used). */
export function parseAzureTimestamp(raw: string, where: Where, field: string): WallClock {
  const m = STAMP.exec(raw.trim());
  const bad = (why: string): TraceError =>
    new TraceError({ ...where, field, value: raw, expected: `a "YYYY-MM-DD hh:mm:ss[.fffffff]" timestamp (${why})` });
  if (!m) throw bad('unrecognised shape');
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const fraction = m[7] ?? '';
  if (month < 1 || month > 12) throw bad('month out of range');
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) throw bad('day out of range');
  if (hour > 23 || minute > 59 || second > 59) throw bad('time of day out of range');
  // Date.UTC on whole seconds is exact; the fraction is kept as an integer of nanoseconds.
  const epoch_s = Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
  const nanos = fraction === '' ? 0 : Number(fraction.padEnd(9, '0'));
  return { epoch_s, nanos };
}

/** b − a in seconds, computed from the split parts so no precision is lost. */
export function secondsBetween(a: WallClock, b: WallClock): number {
  return b.epoch_s - a.epoch_s + (b.nanos - a.nanos) / 1e9;
}
