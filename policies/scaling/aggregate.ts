/**
 * Aggregate load of a fleet for auto-scaling (reference §5.2). The artifact's `avg_load` is a
 * ratio of sums — the fleet seen as one big instance — not a mean of per-instance ratios.
 */
import type { InstanceReport } from '../view.ts';

/** Fleet-wide dispatch freeness: Σ(free − W − ΣQ) / Σ(R + Q), +∞ for an idle fleet. */
export function fleetDispatchFreeness(reports: readonly InstanceReport[], extraEmptyBlocks = 0): number {
  let available = extraEmptyBlocks;
  let requests = 0;
  for (const r of reports) {
    available += r.free_blocks - r.watermark_blocks - r.all_waiting_blocks;
    requests += r.running + r.waiting;
  }
  return requests === 0 ? Number.POSITIVE_INFINITY : available / requests;
}

/**
 * Fleet-wide migration freeness if `victim` were removed and its used blocks absorbed by the
 * others: free' = max(0, Σ_{i≠v} free_i − used_v); M' and W' exclude the victim; every request
 * counts. Queued demand is head-of-line per instance or all waiting, as the pairing metric.
 */
export function fleetFreenessWithout(
  reports: readonly InstanceReport[],
  victim: InstanceReport,
  queued: 'head-of-line' | 'all-waiting',
): number {
  let free = 0;
  let watermark = 0;
  let running = 0;
  let waiting = 0;
  let demand = 0;
  for (const r of reports) {
    running += r.running;
    waiting += r.waiting;
    demand += queued === 'head-of-line' ? r.head_waiting_blocks : r.all_waiting_blocks;
    if (r.id === victim.id) continue;
    free += r.free_blocks;
    watermark += r.watermark_blocks;
  }
  const absorbed = Math.max(0, free - (victim.total_blocks - victim.free_blocks));
  const denominator = running + (waiting > 0 ? 1 : 0);
  return denominator === 0 ? Number.POSITIVE_INFINITY : (absorbed - watermark - demand) / denominator;
}
