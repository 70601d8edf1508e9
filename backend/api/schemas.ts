// The OpenAI surface this server accepts, in one place. Field names and defaults follow
// OpenAI's API and vLLM's extensions (ignore_eos, top_k, stop_token_ids, priority). Unknown
// fields are dropped, as vLLM does; fields that would change the output but are not
// implemented are refused by `UNSUPPORTED` rather than silently ignored.
import { z } from 'zod';
import { LogitBiasSchema } from '../engine/sampling-params.ts';

const TokenId = z.number().int().min(0);
const Optional = <T extends z.ZodType>(schema: T) => schema.nullish();

/** The most choices (`n`) one request may ask for (OpenAI's limit). */
export const MAX_N = 128;

/** Most logprobs alternatives per token (OpenAI's limit). */
export const MAX_TOP_LOGPROBS = 20;

/** vLLM's integer priority (lower is served first) or a Llumnix class name. */
export const PrioritySchema = z.union([z.number().int(), z.enum(['high', 'normal'])]);

const StreamOptions = z.object({
  /** Send a last chunk with `choices: []` and the request's `usage`. */
  include_usage: Optional(z.boolean()),
});

/** Sampling and control fields shared by both endpoints. */
const Common = {
  /** Served model name; may be left out when exactly one model is served (as vLLM). */
  model: Optional(z.string().min(1)),
  max_tokens: Optional(z.number().int().min(1)),
  /** 0 is greedy. */
  temperature: Optional(z.number().min(0).max(2)),
  top_p: Optional(z.number().gt(0).lte(1)),
  /** vLLM extension: -1 or 0 is off. */
  top_k: Optional(z.number().int().min(-1)),
  seed: Optional(z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER)),
  stop: Optional(z.union([z.string(), z.array(z.string()).max(16)])),
  /** vLLM extension. */
  stop_token_ids: Optional(z.array(TokenId)),
  /** vLLM extension: keep generating past EOS. */
  ignore_eos: Optional(z.boolean()),
  presence_penalty: Optional(z.number().min(-2).max(2)),
  frequency_penalty: Optional(z.number().min(-2).max(2)),
  /** vLLM extension: > 1 discourages tokens of the prompt and output, < 1 favours them. */
  repetition_penalty: Optional(z.number().gt(0)),
  /** vLLM extension: no EOS, stop token or stop string ends the output before this many tokens. */
  min_tokens: Optional(z.number().int().min(0)),
  /** vLLM extension: tokens below min_p × the best token's probability are not drawn. */
  min_p: Optional(z.number().min(0).max(1)),
  /** Token id (a decimal string) → bias in [-100, 100], added to its logit. */
  logit_bias: Optional(LogitBiasSchema),
  /** Choices to generate, each its own engine request (parallel-sampling.ts). */
  n: Optional(z.number().int().min(1).max(MAX_N)),
  stream: Optional(z.boolean()),
  stream_options: Optional(StreamOptions),
  /** vLLM's integer (negative → high) or fleetlab's `high`/`normal`; the `x-priority` header is the fallback. */
  priority: Optional(PrioritySchema),
  user: Optional(z.string()),
  /** vLLM extension (≥ 0.10.2): each choice also carries the `token_ids` it generated. */
  return_token_ids: Optional(z.boolean()),
};

export const CompletionRequestSchema = z.object({
  ...Common,
  prompt: z.union([
    z.string(),
    z.array(z.string()).min(1),
    z.array(TokenId).min(1),
    z.array(z.array(TokenId).min(1)).min(1),
  ]),
  /** Legacy completions logprobs: how many alternatives per token (0: only the chosen one). */
  logprobs: Optional(z.number().int().min(0).max(MAX_TOP_LOGPROBS)),
});
export type CompletionRequest = z.output<typeof CompletionRequestSchema>;

const TextPart = z.object({ type: z.literal('text', { error: 'only text content parts are supported' }), text: z.string() });

const ChatMessageSchema = z.object({
  /** `developer` is OpenAI's newer name for `system`. */
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z.union([z.string(), z.array(TextPart), z.null()]).optional(),
  name: Optional(z.string()),
});

export const ChatCompletionRequestSchema = z.object({
  ...Common,
  messages: z.array(ChatMessageSchema).min(1),
  /** OpenAI's newer name for max_tokens; wins when both are given (as vLLM). */
  max_completion_tokens: Optional(z.number().int().min(1)),
  logprobs: Optional(z.boolean()),
  top_logprobs: Optional(z.number().int().min(0).max(MAX_TOP_LOGPROBS)),
  /** vLLM extension: add the assistant turn's opening to the template (default true). */
  add_generation_prompt: Optional(z.boolean()),
});
export type ChatCompletionRequest = z.output<typeof ChatCompletionRequestSchema>;

export const TokenizeRequestSchema = z.union([
  z.object({ model: Optional(z.string().min(1)), prompt: z.string(), add_special_tokens: Optional(z.boolean()) }),
  z.object({ model: Optional(z.string().min(1)), messages: z.array(ChatMessageSchema).min(1), add_generation_prompt: Optional(z.boolean()) }),
]);
export const DetokenizeRequestSchema = z.object({ model: Optional(z.string().min(1)), tokens: z.array(TokenId) });

const isEmpty = (v: unknown): boolean =>
  v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && Object.keys(v as object).length === 0);

/**
 * Fields that would change the answer and are not implemented: refused with a 400 unless given
 * their no-op value. (`n` is refused by the schema itself.)
 */
export const UNSUPPORTED: Readonly<Record<string, (value: unknown) => boolean>> = {
  best_of: (v) => v === undefined || v === null || v === 1,
  echo: (v) => v === undefined || v === null || v === false,
  suffix: (v) => v === undefined || v === null || v === '',
  use_beam_search: (v) => v === undefined || v === null || v === false,
  prompt_logprobs: (v) => v === undefined || v === null,
  tools: isEmpty,
  functions: isEmpty,
  tool_choice: (v) => v === undefined || v === null || v === 'none',
  response_format: (v) => v === undefined || v === null || (typeof v === 'object' && (v as { type?: unknown }).type === 'text'),
};
