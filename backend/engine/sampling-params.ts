// SamplingParams from an OpenAI/vLLM-style options object (a /v1/completions body, the offline
// API's options), with the model's generation_config defaults for what the request leaves out.
import { z } from 'zod';
import { ConfigError, parseConfig } from '../../config/index.ts';
import type { SamplingParams } from './types.ts';

/** The most top logprobs a request may ask for (vLLM's default max_logprobs). */
export const MAX_LOGPROBS = 20;
/** Below this temperature sampling is greedy (vLLM's _SAMPLING_EPS). */
export const GREEDY_BELOW_TEMPERATURE = 1e-5;

/** Defaults a model supplies (generation_config.json); GenerationDefaults fits this shape. */
export interface SamplingDefaults {
  readonly temperature?: number;
  readonly top_p?: number;
  readonly top_k?: number;
  readonly max_new_tokens?: number;
}

const tokenId = z.number().int().nonnegative();

/** OpenAI's logit_bias: token ids (as JSON object keys) to a bias in [-100, 100]. */
export const LogitBiasSchema = z.record(z.string(), z.number().min(-100).max(100)).superRefine((bias, ctx) => {
  for (const key of Object.keys(bias)) {
    if (!/^(0|[1-9]\d{0,9})$/.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: `a token id (a non-negative integer in decimal) as key, not ${JSON.stringify(key)}` });
  }
});

/** logit_bias as the engine keeps it: (token id, bias) pairs, ids ascending, zero biases left out. */
export function logitBiasPairs(bias: Readonly<Record<string, number>> | null | undefined): [number, number][] | undefined {
  if (bias == null) return undefined;
  const pairs = Object.entries(bias).map(([id, b]): [number, number] => [Number(id), b]).filter(([, b]) => b !== 0).sort((a, b) => a[0] - b[0]);
  return pairs.length === 0 ? undefined : pairs;
}

/** The logits processors' options as a request spells them (null or absent: neutral). */
export interface ProcessorOptions {
  readonly presence_penalty?: number | null | undefined;
  readonly frequency_penalty?: number | null | undefined;
  readonly repetition_penalty?: number | null | undefined;
  readonly min_tokens?: number | null | undefined;
  readonly min_p?: number | null | undefined;
  readonly logit_bias?: Readonly<Record<string, number>> | null | undefined;
}

/** The logits-changing fields of a SamplingParams, set only where they are not neutral. */
export function processorFields(o: ProcessorOptions): Partial<Pick<SamplingParams, 'presence_penalty' | 'frequency_penalty' | 'repetition_penalty' | 'min_tokens' | 'min_p' | 'logit_bias'>> {
  const logit_bias = logitBiasPairs(o.logit_bias);
  return {
    ...(o.presence_penalty ? { presence_penalty: o.presence_penalty } : {}),
    ...(o.frequency_penalty ? { frequency_penalty: o.frequency_penalty } : {}),
    ...(o.repetition_penalty != null && o.repetition_penalty !== 1 ? { repetition_penalty: o.repetition_penalty } : {}),
    ...(o.min_tokens ? { min_tokens: o.min_tokens } : {}),
    ...(o.min_p ? { min_p: o.min_p } : {}),
    ...(logit_bias !== undefined ? { logit_bias } : {}),
  };
}

const optionsSchema = z.looseObject({
  max_tokens: z.number().int().min(1).nullable().optional(),
  /** The chat API's newer name for max_tokens. */
  max_completion_tokens: z.number().int().min(1).nullable().optional(),
  temperature: z.number().min(0).max(100).nullable().optional(),
  top_p: z.number().gt(0).max(1).nullable().optional(),
  top_k: z.number().int().min(-1).nullable().optional(),
  seed: z.number().int().min(-(2 ** 53) + 1).max(2 ** 53 - 1).nullable().optional(),
  stop: z.union([z.string().min(1), z.array(z.string().min(1)).max(16)]).nullable().optional(),
  stop_token_ids: z.array(tokenId).nullable().optional(),
  ignore_eos: z.boolean().nullable().optional(),
  /** Completions: how many top logprobs (0 = only the chosen token's). Chat: true/false, with top_logprobs. */
  logprobs: z.union([z.number().int().min(0).max(MAX_LOGPROBS), z.boolean()]).nullable().optional(),
  top_logprobs: z.number().int().min(0).max(MAX_LOGPROBS).nullable().optional(),
  presence_penalty: z.number().min(-2).max(2).nullable().optional(),
  frequency_penalty: z.number().min(-2).max(2).nullable().optional(),
  repetition_penalty: z.number().gt(0).nullable().optional(),
  min_tokens: z.number().int().min(0).nullable().optional(),
  min_p: z.number().min(0).max(1).nullable().optional(),
  logit_bias: LogitBiasSchema.nullable().optional(),
  // Accepted only at their neutral values: anything else would silently change the output.
  n: z.literal(1).nullable().optional(),
  best_of: z.literal(1).nullable().optional(),
});

export type SamplingOptions = z.input<typeof optionsSchema>;

/**
 * Parses request options. Defaults follow vLLM: max_tokens 16 (the OpenAI completions
 * default; `fallbackMaxTokens` overrides it), temperature 1, top_p 1, top_k off, unless the
 * model's generation_config says otherwise. Errors name the option, the value and the range.
 */
export function parseSamplingParams(input: unknown, defaults: SamplingDefaults = {}, source = 'sampling options', fallbackMaxTokens = 16): SamplingParams {
  const o = parseConfig(optionsSchema, input ?? {}, '', source);
  if (o.max_tokens != null && o.max_completion_tokens != null && o.max_tokens !== o.max_completion_tokens) {
    throw ConfigError.single('max_completion_tokens', `equal to max_tokens (${o.max_tokens}) when both are given`, o.max_completion_tokens, { source });
  }
  let logprobs: number | undefined;
  if (typeof o.logprobs === 'number') logprobs = o.logprobs;
  else if (o.logprobs === true) logprobs = o.top_logprobs ?? 0;
  else if (o.top_logprobs != null && o.top_logprobs > 0) throw ConfigError.single('top_logprobs', 'used with logprobs: true', o.top_logprobs, { source });
  const stop = o.stop == null ? [] : typeof o.stop === 'string' ? [o.stop] : o.stop;
  const topK = o.top_k ?? defaults.top_k ?? 0;
  const max_tokens = o.max_tokens ?? o.max_completion_tokens ?? defaults.max_new_tokens ?? fallbackMaxTokens;
  if (o.min_tokens != null && o.min_tokens > max_tokens) throw ConfigError.single('min_tokens', `at most max_tokens (${max_tokens})`, o.min_tokens, { source });
  return {
    max_tokens,
    temperature: o.temperature ?? defaults.temperature ?? 1,
    top_p: o.top_p ?? defaults.top_p ?? 1,
    top_k: topK < 0 ? 0 : topK,
    ...(o.seed != null ? { seed: o.seed } : {}),
    stop: [...new Set(stop)],
    stop_token_ids: [...new Set(o.stop_token_ids ?? [])],
    ignore_eos: o.ignore_eos ?? false,
    ...(logprobs !== undefined ? { logprobs } : {}),
    ...processorFields(o),
  };
}

export function isGreedy(p: Pick<SamplingParams, 'temperature'>): boolean {
  return p.temperature < GREEDY_BELOW_TEMPERATURE;
}
