// generation_config.json: the model's EOS ids and default sampling (what vLLM applies when a
// request leaves temperature/top_p/top_k unset). Absent file → no defaults.
import { z } from 'zod';
import { parseConfig } from '../../config/index.ts';

const tokenId = z.number().int().nonnegative();

const schema = z.looseObject({
  bos_token_id: tokenId.nullable().optional(),
  /** One id or a list (Llama 3.x Instruct, Qwen2.5-Instruct list two). */
  eos_token_id: z.union([tokenId, z.array(tokenId)]).nullable().optional(),
  pad_token_id: tokenId.nullable().optional(),
  do_sample: z.boolean().optional(),
  temperature: z.number().nonnegative().optional(),
  top_p: z.number().gt(0).lte(1).optional(),
  top_k: z.number().int().gte(-1).optional(),
  max_new_tokens: z.number().int().positive().optional(),
  repetition_penalty: z.number().positive().optional(),
});

export interface GenerationDefaults {
  readonly bos_token_id?: number;
  readonly eos_token_ids: readonly number[];
  /** Sampling defaults for requests that leave these unset (vLLM's `generation_config="auto"`). */
  readonly temperature?: number;
  readonly top_p?: number;
  readonly top_k?: number;
  readonly max_new_tokens?: number;
}

export function parseGenerationConfig(input: unknown, source = 'generation_config.json'): GenerationDefaults {
  const raw = parseConfig(schema, input, '', source);
  const eos = raw.eos_token_id;
  // As vLLM: only the sampling values are taken; do_sample is transformers' switch and ignored.
  const temperature = raw.temperature;
  return {
    ...(raw.bos_token_id != null ? { bos_token_id: raw.bos_token_id } : {}),
    eos_token_ids: eos == null ? [] : Array.isArray(eos) ? eos : [eos],
    ...(temperature !== undefined ? { temperature } : {}),
    ...(raw.top_p !== undefined ? { top_p: raw.top_p } : {}),
    ...(raw.top_k !== undefined ? { top_k: raw.top_k } : {}),
    ...(raw.max_new_tokens !== undefined ? { max_new_tokens: raw.max_new_tokens } : {}),
  };
}
