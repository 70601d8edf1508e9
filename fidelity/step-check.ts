// The step model alone, on the real batches: every step the real fleet ran during the replay,
// priced by the table the simulator used, against its measured time. This separates the error
// of the step model (profile + interpolation + mixed-step rule) from the error of the replay
// (scheduling, queueing, the path around the engines).
import type { StepBatch } from '../engine/index.ts';
import type { PerfModel } from '../sim/perf/index.ts';
import type { ReplayStep } from './real-run.ts';
import { othersSteppingAtStart } from './step-overlap.ts';

export interface StepCheck {
  readonly steps: number;
  /** Σ priced / Σ measured − 1: the step model's bias over the replay's busy time. */
  readonly total_rel_error: number;
  /** Median of per-step (priced − measured) / measured. */
  readonly median_rel_error: number;
  /** The same, by kind of step. */
  readonly by_kind: readonly { readonly kind: 'prefill' | 'decode' | 'mixed'; readonly steps: number; readonly total_rel_error: number }[];
}

/** A batch with the replay step's aggregates (the table keys on Σ prefill tokens and on batch size × Σ context). */
export function batchOf(step: ReplayStep): StepBatch {
  const prefills = step.prefill_seqs === 0 ? [] : [{ new_tokens: step.prefill_tokens, context_tokens: 0 }];
  const each = step.decode_seqs === 0 ? 0 : step.decode_context_tokens / step.decode_seqs;
  return { prefills, decodes: Array.from({ length: step.decode_seqs }, () => ({ context_tokens: each })) };
}

function kindOf(step: ReplayStep): 'prefill' | 'decode' | 'mixed' {
  if (step.prefill_seqs > 0 && step.decode_seqs > 0) return 'mixed';
  return step.prefill_seqs > 0 ? 'prefill' : 'decode';
}

/**
 * What the simulator would charge for each replay step: the table's price, times the contention
 * factor of the instances that were mid-step when it started (`factors`, as
 * cluster.contention.step_factors; absent: 1).
 */
export function priceSteps(perf: PerfModel, steps: readonly ReplayStep[], factors?: readonly number[]): number[] {
  const levels = factors === undefined ? undefined : othersSteppingAtStart(steps);
  return steps.map((s, i) => {
    const price = perf.step_ms(batchOf(s));
    return levels === undefined || factors === undefined ? price : price * (factors[Math.min(levels[i] as number, factors.length - 1)] as number);
  });
}

export function checkSteps(perf: PerfModel, steps: readonly ReplayStep[], factors?: readonly number[]): StepCheck {
  const priced = priceSteps(perf, steps, factors);
  const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
  const rel = steps.map((s, i) => ((priced[i] as number) - s.step_ms) / s.step_ms).sort((a, b) => a - b);
  const by_kind = (['prefill', 'decode', 'mixed'] as const).map((kind) => {
    const idx = steps.flatMap((s, i) => (kindOf(s) === kind ? [i] : []));
    const measured = sum(idx.map((i) => (steps[i] as ReplayStep).step_ms));
    return { kind, steps: idx.length, total_rel_error: idx.length === 0 ? 0 : sum(idx.map((i) => priced[i] as number)) / measured - 1 };
  });
  return {
    steps: steps.length,
    total_rel_error: steps.length === 0 ? 0 : sum(priced) / sum(steps.map((s) => s.step_ms)) - 1,
    median_rel_error: rel.length === 0 ? 0 : (rel[Math.floor(rel.length / 2)] as number),
    by_kind,
  };
}
