// Where the real tail comes from on a shared machine: the instance processes (and the manager)
// contend for the same cores, so a step that runs while another instance steps waits for a
// core. This splits a replay's steps by whether another instance was stepping for most of the
// step's time and compares each group's measured time with what the simulator priced (the table
// times the contention model's factor): what the contention model leaves unexplained
// (docs/fidelity.md, P99 terms).
import type { PerfModel } from '../sim/perf/index.ts';
import type { ReplayStep } from './real-run.ts';
import { priceSteps } from './step-check.ts';
import { othersSteppingAtStart, overlapFractions } from './step-overlap.ts';

export interface ContentionGroup {
  readonly steps: number;
  /** Σ measured / Σ priced over the group (1: the table prices these steps right). */
  readonly measured_over_priced: number;
}

export interface Contention {
  /**
   * By k, the number of other instances mid-step when the step started: the contention model's
   * own condition, so with the model right every group's ratio is 1. (Unbiased: whether another
   * instance is mid-step at a step's start does not depend on how long the step then takes.)
   */
  readonly by_level: readonly (ContentionGroup & { readonly others: number })[];
  /**
   * Steps another instance was stepping alongside for at most half of their time. (Biased, so
   * the model does not condition on it: a step that is slow for any reason overlaps more.)
   */
  readonly alone: ContentionGroup;
  /** Steps another instance was stepping alongside for more than half of their time. */
  readonly concurrent: ContentionGroup;
}

/** `factors`: the contention model the prices include (cluster.contention.step_factors; default none). */
export function measureContention(perf: PerfModel, steps: readonly ReplayStep[], factors?: readonly number[]): Contention {
  const fractions = overlapFractions(steps);
  const others = othersSteppingAtStart(steps);
  const prices = priceSteps(perf, steps, factors);
  type Sum = { n: number; measured: number; priced: number };
  const empty = (): Sum => ({ n: 0, measured: 0, priced: 0 });
  const sums = { alone: empty(), concurrent: empty() };
  const levels: Sum[] = [];
  steps.forEach((s, i) => {
    const priced = prices[i] as number;
    if (!(priced > 0)) return;
    const k = others[i] as number;
    while (levels.length <= k) levels.push(empty());
    for (const g of [(fractions[i] as number) > 0.5 ? sums.concurrent : sums.alone, levels[k] as Sum]) {
      g.n++;
      g.measured += s.step_ms;
      g.priced += priced;
    }
  });
  const group = (g: Sum): ContentionGroup => ({ steps: g.n, measured_over_priced: g.n === 0 ? Number.NaN : g.measured / g.priced });
  return { by_level: levels.map((g, k) => ({ others: k, ...group(g) })), alone: group(sums.alone), concurrent: group(sums.concurrent) };
}
