import type { EngineCore, EngineOptions } from './engine-core.ts';
import type { EngineKind, EngineLimits } from './limits.ts';
import type { Sequence } from './sequence.ts';
import { VllmV0Scheduler } from './vllm-v0.ts';
import { VllmV1Scheduler } from './vllm-v1.ts';

/** The scheduler + block manager of one instance, of the given kind. */
export function createEngine<S extends Sequence = Sequence>(kind: EngineKind, limits: EngineLimits, options: EngineOptions = {}): EngineCore<S> {
  switch (kind) {
    case 'vllm-v0':
      return new VllmV0Scheduler<S>(limits, options);
    case 'vllm-v1': {
      const capacity = limits.total_blocks * limits.block_size_tokens;
      const cap = limits.max_model_len_tokens;
      if (cap !== undefined && cap > capacity) {
        // vLLM refuses to start when one sequence of max_model_len cannot fit the KV cache.
        throw new RangeError(`max_model_len_tokens ${cap} exceeds the KV cache (${limits.total_blocks} blocks × ${limits.block_size_tokens} = ${capacity} tokens)`);
      }
      return new VllmV1Scheduler<S>(limits, options);
    }
    default: {
      const never: never = kind;
      throw new RangeError(`unknown engine kind ${String(never)}`);
    }
  }
}

/**
 * Why an instance of this kind can never serve a request (undefined: it can), checked before
 * dispatch. v0: vLLM 0.1.7 drops prompts beyond the batch token cap and sequences that cannot
 * fit above the watermark. v1: prompt + max_tokens must fit max_model_len (the OpenAI server's
 * check); the budget never rejects a prompt, it chunks it.
 */
export function admissionError(kind: EngineKind, limits: EngineLimits, prompt_tokens: number, output_tokens: number): string | undefined {
  if (kind === 'vllm-v0') {
    const need = Math.ceil((prompt_tokens + output_tokens) / limits.block_size_tokens);
    if (need > limits.total_blocks - limits.watermark_blocks || prompt_tokens > limits.max_num_batched_tokens) {
      return `needs ${need} blocks / ${prompt_tokens} prompt tokens, beyond one instance`;
    }
    return undefined;
  }
  const cap = maxModelLen(limits);
  if (prompt_tokens + output_tokens > cap) {
    return `prompt ${prompt_tokens} + max_tokens ${output_tokens} tokens exceed max_model_len ${cap}`;
  }
  return undefined;
}

/** max_model_len of a v1 engine: configured, else the KV capacity. */
export function maxModelLen(limits: EngineLimits): number {
  return limits.max_model_len_tokens ?? limits.total_blocks * limits.block_size_tokens;
}
