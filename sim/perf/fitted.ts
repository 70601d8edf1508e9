import type { StepBatch } from '../../engine/index.ts';
import { decodeContext, type PerfModel, wholePrompts } from './perf-model.ts';

/**
 * Closed-form step latencies: decode = a + b·B + c·ΣL, prefill = d + e·L + f·L² (ms).
 *
 * The default coefficients are LLaMA-7B on one A10 under vLLM 0.1.7, fitted to the Llumnix
 * artifact's measurements (llumnix.md §4.3 and §6): decode 43–52 ms for 1–32 requests holding
 * ~8–9k tokens, prefill 58…1995 ms for one prompt of 256…8k tokens. The fit is ours, not the
 * authors'.
 *
 * Chunks and mixed steps (docs/engine.md):
 * - a chunk of c new tokens after k cached ones costs e·c + f·(c² + 2ck): the attention of
 *   its tokens over the context, so the chunks of one prompt sum to the whole prompt's f·L²;
 * - a mixed step pays one fixed cost, the larger of the two bases (weights are read once per
 *   step), plus the variable parts of its prefill chunks and of its decodes.
 */
export interface FittedCoefficients {
  decode_base_ms: number;
  decode_per_request_ms: number;
  decode_per_context_token_ms: number;
  prefill_base_ms: number;
  prefill_per_token_ms: number;
  prefill_per_token_squared_ms: number;
  /** Added to every iteration (scheduler and sampler CPU time; the artifact simulator used 4 ms). */
  step_overhead_ms: number;
  /**
   * How the quadratic (attention) term sees a batch of prompts: per sequence (Σ Lᵢ², what the
   * kernels do) or as one sequence of the summed length (what the artifact simulator looked up).
   */
  prefill_quadratic: 'per-sequence' | 'batch-sum';
}

export const LLAMA_7B_A10: FittedCoefficients = {
  decode_base_ms: 39.7,
  decode_per_request_ms: 0.3,
  decode_per_context_token_ms: 0.0004,
  prefill_base_ms: 6,
  prefill_per_token_ms: 0.2,
  prefill_per_token_squared_ms: 5e-6,
  step_overhead_ms: 0,
  prefill_quadratic: 'per-sequence',
};

export function fittedPerfModel(name: string, c: FittedCoefficients): PerfModel {
  const prefill_ms = (prompts: readonly number[]): number => {
    let sum = 0;
    let squares = 0;
    for (const tokens of prompts) {
      sum += tokens;
      squares += tokens * tokens;
    }
    const quadratic = c.prefill_quadratic === 'per-sequence' ? squares : sum * sum;
    return c.step_overhead_ms + c.prefill_base_ms + c.prefill_per_token_ms * sum + c.prefill_per_token_squared_ms * quadratic;
  };
  const decode_ms = (batch: number, context: number): number =>
    c.step_overhead_ms + c.decode_base_ms + c.decode_per_request_ms * batch + c.decode_per_context_token_ms * context;

  /** Variable prefill cost of chunks with context (no base, no overhead). */
  const chunksVariable = (batch: StepBatch): number => {
    let sum = 0;
    let squares = 0;
    let cross = 0;
    for (const p of batch.prefills) {
      sum += p.new_tokens;
      squares += p.new_tokens * p.new_tokens;
      cross += 2 * p.new_tokens * p.context_tokens;
    }
    const quadratic = (c.prefill_quadratic === 'per-sequence' ? squares : sum * sum) + cross;
    return c.prefill_per_token_ms * sum + c.prefill_per_token_squared_ms * quadratic;
  };

  return {
    name,
    prefill_ms,
    decode_ms,
    step_ms(batch) {
      const hasPrefill = batch.prefills.length > 0;
      const hasDecode = batch.decodes.length > 0;
      if (!hasPrefill && !hasDecode) return 0;
      if (!hasPrefill) return decode_ms(batch.decodes.length, decodeContext(batch));
      if (!hasDecode) {
        const whole = wholePrompts(batch);
        if (whole !== undefined) return prefill_ms(whole);
        return c.step_overhead_ms + c.prefill_base_ms + chunksVariable(batch);
      }
      const decodeVariable = c.decode_per_request_ms * batch.decodes.length + c.decode_per_context_token_ms * decodeContext(batch);
      return c.step_overhead_ms + Math.max(c.prefill_base_ms, c.decode_base_ms) + chunksVariable(batch) + decodeVariable;
    },
  };
}
