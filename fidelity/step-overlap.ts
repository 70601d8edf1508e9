// When the replay's steps overlapped: each instance's steps as intervals on the machine's wall
// clock (instances of one machine share it), and, per step, who else was stepping. The
// contention model is fitted (calibrate-replay.ts) and checked (contention.ts) on these.
import type { ReplayStep } from './real-run.ts';

/** Each instance's step intervals, sorted by start. */
function intervalsByInstance(steps: readonly ReplayStep[]): Map<number, { start: number; end: number }[]> {
  const byInstance = new Map<number, { start: number; end: number }[]>();
  for (const s of steps) {
    const list = byInstance.get(s.instance) ?? [];
    list.push({ start: s.started_unix_ms, end: s.started_unix_ms + s.step_ms });
    byInstance.set(s.instance, list);
  }
  for (const list of byInstance.values()) list.sort((a, b) => a.start - b.start);
  return byInstance;
}

/** Index of the first interval of `list` (sorted by start) that starts at or after `t`. */
function firstStartingFrom(list: readonly { start: number }[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as { start: number }).start < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * For each step (by index in `steps`), how many other instances were mid-step when it started:
 * the k of the simulator's contention model (cluster.contention.step_factors[k]), measured the
 * way the simulator applies it.
 */
export function othersSteppingAtStart(steps: readonly ReplayStep[]): number[] {
  const byInstance = intervalsByInstance(steps);
  return steps.map((s) => {
    let k = 0;
    for (const [instance, list] of byInstance) {
      if (instance === s.instance) continue;
      // One instance's steps do not overlap: only the last one starting before s can contain its start.
      const before = list[firstStartingFrom(list, s.started_unix_ms) - 1];
      if (before !== undefined && before.end > s.started_unix_ms) k++;
    }
    return k;
  });
}

/** The fraction of each step's time during which some other instance was stepping (by index in `steps`). */
export function overlapFractions(steps: readonly ReplayStep[]): number[] {
  const byInstance = intervalsByInstance(steps);
  return steps.map((s) => {
    if (s.step_ms <= 0) return 0;
    const a0 = s.started_unix_ms;
    const a1 = a0 + s.step_ms;
    // One instance's steps do not overlap each other, so the overlaps with each other instance add up.
    let overlap = 0;
    for (const [instance, list] of byInstance) {
      if (instance === s.instance) continue;
      // The last step of `instance` starting before a1, then back while they still reach past a0.
      for (let k = firstStartingFrom(list, a1) - 1; k >= 0; k--) {
        const b = list[k] as { start: number; end: number };
        if (b.end <= a0) break;
        overlap += Math.min(a1, b.end) - Math.max(a0, b.start);
      }
    }
    return Math.min(1, overlap / s.step_ms);
  });
}
