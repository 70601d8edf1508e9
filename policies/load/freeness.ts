/**
 * Freeness metrics (reference §1.2 and Appendix B), in KV blocks per request; higher = freer.
 * We store freeness, never the artifact's negated "load" (quirk §12 #14).
 *
 * Every function takes the name of the policy asking, so that a NaN names its culprit:
 * a NaN that reached a sort would silently pick an arbitrary instance.
 */
import { PolicyInputError } from '../errors.ts';
import type { InstanceReport, Priority } from '../view.ts';
import { priorityHeadroomBlocks, type LoadOptions } from './options.ts';

/** Report fields the metrics read; each must be a finite number. */
const NUMERIC_FIELDS = [
  'total_blocks',
  'watermark_blocks',
  'free_blocks',
  'running',
  'waiting',
  'killed',
  'head_waiting_blocks',
  'all_waiting_blocks',
  'high_priority',
  'last_running_blocks',
  'migrations_in_flight',
] as const satisfies readonly (keyof InstanceReport)[];

/** Throws if any numeric field of the report is NaN or infinite (a bug in the port). */
export function assertUsableReport(policy: string, report: InstanceReport): void {
  // The common case, every field finite, read field by field: a loop over the names is a keyed
  // load per field, and this runs at every report scored (once per step and instance).
  if (
    Number.isFinite(report.total_blocks) &&
    Number.isFinite(report.watermark_blocks) &&
    Number.isFinite(report.free_blocks) &&
    Number.isFinite(report.running) &&
    Number.isFinite(report.waiting) &&
    Number.isFinite(report.killed) &&
    Number.isFinite(report.head_waiting_blocks) &&
    Number.isFinite(report.all_waiting_blocks) &&
    Number.isFinite(report.high_priority) &&
    Number.isFinite(report.last_running_blocks) &&
    Number.isFinite(report.migrations_in_flight)
  ) {
    return;
  }
  // Otherwise the loop names the first bad field, in NUMERIC_FIELDS order.
  for (const field of NUMERIC_FIELDS) {
    const value = report[field];
    if (!Number.isFinite(value)) throw new PolicyInputError(policy, field, report.id, value);
  }
}

/** Throws on NaN; ±Infinity is a legitimate freeness (idle / terminating). */
function checked(policy: string, metric: string, report: InstanceReport, value: number): number {
  if (Number.isNaN(value)) throw new PolicyInputError(policy, metric, report.id, value);
  return value;
}

/** A = free − W: blocks admission can still hand out. */
export function availableBlocks(report: InstanceReport): number {
  return report.free_blocks - report.watermark_blocks;
}

/**
 * Dispatch freeness F_d = (A − ΣQ − pen) / (R + Q), +∞ when R + Q = 0, −∞ when terminating.
 * pen = headroom when the instance hosts high-priority work and the request is normal, or
 * hosts none and the request is high: each class is steered to "its" instances.
 */
export function dispatchFreeness(
  policy: string,
  report: InstanceReport,
  priority: Priority,
  options: LoadOptions,
): number {
  assertUsableReport(policy, report);
  if (report.state === 'terminating') return Number.NEGATIVE_INFINITY;
  const requests = report.running + report.waiting;
  if (requests === 0) return Number.POSITIVE_INFINITY;
  const hostsHigh = report.high_priority > 0;
  const penalised = hostsHigh === (priority === 'normal');
  const pen = penalised ? priorityHeadroomBlocks(report, options) : 0;
  const value = (availableBlocks(report) - report.all_waiting_blocks - pen) / requests;
  return checked(policy, 'dispatch freeness', report, value);
}

/**
 * Migration freeness with de-fragmentation:
 * F_m = (A − Qd − [P > 0]·headroom) / (R + [Q > 0]), Qd = h (head-of-line) or ΣQ (all-waiting).
 * Queued demand counts as load, so an instance whose head request does not fit pushes work out.
 */
export function migrationFreeness(policy: string, report: InstanceReport, options: LoadOptions): number {
  assertUsableReport(policy, report);
  if (report.state === 'terminating') return Number.NEGATIVE_INFINITY;
  const denominator = report.running + (report.waiting > 0 ? 1 : 0);
  if (denominator === 0) return Number.POSITIVE_INFINITY;
  const queued =
    options.queued_demand === 'head-of-line' ? report.head_waiting_blocks : report.all_waiting_blocks;
  const headroom = report.high_priority > 0 ? priorityHeadroomBlocks(report, options) : 0;
  const value = (availableBlocks(report) - queued - headroom) / denominator;
  return checked(policy, 'migration freeness', report, value);
}

/** Freeness without de-fragmentation: A / R, +∞ when R = 0, −∞ when terminating. */
export function plainFreeness(policy: string, report: InstanceReport): number {
  assertUsableReport(policy, report);
  if (report.state === 'terminating') return Number.NEGATIVE_INFINITY;
  if (report.running === 0) return Number.POSITIVE_INFINITY;
  return checked(policy, 'freeness', report, availableBlocks(report) / report.running);
}
