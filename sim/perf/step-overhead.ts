import type { PerfModel } from './perf-model.ts';

/**
 * Adds a fixed CPU cost to every non-empty step: the engine's scheduling, input preparation,
 * sampling and output processing that a GPU profile does not see (Vidur's `cpu_overheads.csv`
 * and the Vidur paper blame their larger 7B errors on exactly this). An empty batch still costs 0.
 *
 * 0 returns the model itself, so configs without the field price every step bit for bit as
 * before. (The fitted model keeps its own `step_overhead_ms` inside its formula for the same
 * reason: moving it here would change the order of its floating-point additions.)
 */
export function withStepOverhead(model: PerfModel, step_overhead_ms: number): PerfModel {
  if (!Number.isFinite(step_overhead_ms) || step_overhead_ms < 0) {
    throw new Error(`step_overhead_ms of perf model ${model.name} is ${step_overhead_ms}; expected a finite number >= 0`);
  }
  if (step_overhead_ms === 0) return model;
  return {
    name: model.name,
    prefill_ms: (prompts) => model.prefill_ms(prompts) + step_overhead_ms,
    decode_ms: (batch, context) => model.decode_ms(batch, context) + step_overhead_ms,
    step_ms(batch) {
      if (batch.prefills.length === 0 && batch.decodes.length === 0) return 0;
      return model.step_ms(batch) + step_overhead_ms;
    },
  };
}
