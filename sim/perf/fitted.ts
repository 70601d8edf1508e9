import type { PerfModel } from './perf-model.ts';

/**
 * Closed-form step latencies: decode = a + b·B + c·ΣL, prefill = d + e·L + f·L² (ms).
 *
 * The default coefficients are LLaMA-7B on one A10 under vLLM 0.1.7, fitted to the Llumnix
 * artifact's measurements (llumnix.md §4.3 and §6): decode 43–52 ms for 1–32 requests holding
 * ~8–9k tokens, prefill 58…1995 ms for one prompt of 256…8k tokens. The fit is ours, not the
 * authors'.
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
  return {
    name,
    prefill_ms(prompts) {
      let sum = 0;
      let squares = 0;
      for (const tokens of prompts) {
        sum += tokens;
        squares += tokens * tokens;
      }
      const quadratic = c.prefill_quadratic === 'per-sequence' ? squares : sum * sum;
      return (
        c.step_overhead_ms +
        c.prefill_base_ms +
        c.prefill_per_token_ms * sum +
        c.prefill_per_token_squared_ms * quadratic
      );
    },
    decode_ms(batch, context) {
      return (
        c.step_overhead_ms +
        c.decode_base_ms +
        c.decode_per_request_ms * batch +
        c.decode_per_context_token_ms * context
      );
    },
  };
}
