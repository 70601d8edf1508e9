// Where the real tail comes from on a shared machine: the instance processes (and the manager)
// contend for the same cores, so a step that runs while another instance steps waits for a
// core. This splits a replay's steps by whether another instance was stepping for most of the
// step's time and compares each group's measured time with what the step table priced — the
// measurement a contention-aware step model would be built on (docs/fidelity.md, P99 terms).
import type { PerfModel } from '../sim/perf/index.ts';
import type { ReplayStep } from './real-run.ts';
import { batchOf } from './step-check.ts';

export interface ContentionGroup {
  readonly steps: number;
  /** Σ measured / Σ priced over the group (1: the table prices these steps right). */
  readonly measured_over_priced: number;
}

export interface Contention {
  /** Steps another instance was stepping alongside for at most half of their time. */
  readonly alone: ContentionGroup;
  /** Steps another instance was stepping alongside for more than half of their time. */
  readonly concurrent: ContentionGroup;
}

/** The fraction of each step's time during which some other instance was stepping (by index in `steps`). */
export function overlapFractions(steps: readonly ReplayStep[]): number[] {
  const byInstance = new Map<number, { start: number; end: number }[]>();
  for (const s of steps) {
    const list = byInstance.get(s.instance) ?? [];
    list.push({ start: s.started_unix_ms, end: s.started_unix_ms + s.step_ms });
    byInstance.set(s.instance, list);
  }
  for (const list of byInstance.values()) list.sort((a, b) => a.start - b.start);
  return steps.map((s) => {
    if (s.step_ms <= 0) return 0;
    const a0 = s.started_unix_ms;
    const a1 = a0 + s.step_ms;
    // One instance's steps do not overlap each other, so the overlaps with each other instance add up.
    let overlap = 0;
    for (const [instance, list] of byInstance) {
      if (instance === s.instance) continue;
      // The last step of `instance` starting before a1, then back while they still reach past a0.
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((list[mid] as { start: number }).start < a1) lo = mid + 1;
        else hi = mid;
      }
      for (let k = lo - 1; k >= 0; k--) {
        const b = list[k] as { start: number; end: number };
        if (b.end <= a0) break;
        overlap += Math.min(a1, b.end) - Math.max(a0, b.start);
      }
    }
    return Math.min(1, overlap / s.step_ms);
  });
}

export function measureContention(perf: PerfModel, steps: readonly ReplayStep[]): Contention {
  const fractions = overlapFractions(steps);
  const sums = { alone: { n: 0, measured: 0, priced: 0 }, concurrent: { n: 0, measured: 0, priced: 0 } };
  steps.forEach((s, i) => {
    const priced = perf.step_ms(batchOf(s));
    if (!(priced > 0)) return;
    const g = (fractions[i] as number) > 0.5 ? sums.concurrent : sums.alone;
    g.n++;
    g.measured += s.step_ms;
    g.priced += priced;
  });
  const group = (g: { n: number; measured: number; priced: number }): ContentionGroup => ({ steps: g.n, measured_over_priced: g.n === 0 ? Number.NaN : g.measured / g.priced });
  return { alone: group(sums.alone), concurrent: group(sums.concurrent) };
}
