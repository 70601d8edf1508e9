// From a validated body to a GenerationRequest: pick the engine, tokenize, check the context
// length, fill the sampling defaults. Everything here throws ApiError with the offending param.
import { randomUUID } from 'node:crypto';
import type { ChatMessage, GenerationEngine, GenerationRequest, SamplingParams, TextTokenizer } from '../engine/types.ts';
import { badParam, unknownModel } from './errors.ts';
import { resolvePriority } from './priority.ts';
import type { EngineRouter } from './router.ts';
import { UNSUPPORTED, type ChatCompletionRequest, type CompletionRequest } from './schemas.ts';
import { processorFields, type ProcessorOptions } from '../engine/sampling-params.ts';

/** A request ready for an engine, plus what the response needs. */
export interface Prepared {
  readonly engine: GenerationEngine;
  readonly model: string;
  readonly request: GenerationRequest;
  readonly stream: boolean;
  /** Choices to generate (OpenAI's `n`). */
  readonly n: number;
  readonly include_usage: boolean;
  /** vLLM's `return_token_ids`: choices carry their token ids. */
  readonly return_token_ids: boolean;
}

export function refuseUnsupported(body: unknown): void {
  if (typeof body !== 'object' || body === null) return;
  for (const [field, isNoOp] of Object.entries(UNSUPPORTED)) {
    const value = (body as Record<string, unknown>)[field];
    if (!isNoOp(value)) {
      throw badParam(field, `'${field}' is not supported by this server (received ${JSON.stringify(value)?.slice(0, 80)}).`, 'unsupported_parameter');
    }
  }
}

export function resolveEngine(router: EngineRouter, model: string | null | undefined): { engine: GenerationEngine; model: string } {
  const served = router.models().map((m) => m.name);
  let name = model ?? undefined;
  if (name === undefined) {
    if (served.length !== 1) throw badParam('model', `'model' is required when several models are served (${served.join(', ')}).`, 'missing_required_parameter');
    name = served[0] as string;
  }
  const engine = router.pick(name);
  if (engine === undefined) throw unknownModel(name, served);
  return { engine, model: name };
}

function completionPrompt(prompt: CompletionRequest['prompt'], tokenizer: TextTokenizer): number[] {
  if (typeof prompt === 'string') return tokenizer.encode(prompt);
  const first = prompt[0];
  if (prompt.length > 1 && (typeof first === 'string' || Array.isArray(first))) {
    throw badParam('prompt', `Batched prompts are not supported: send one prompt per request (received ${prompt.length}).`, 'unsupported_parameter');
  }
  if (typeof first === 'string') return tokenizer.encode(first);
  if (Array.isArray(first)) return [...first];
  return [...(prompt as number[])];
}

/** OpenAI messages as the tokenizer's template takes them: `developer` is `system`, text parts joined. */
export function chatMessages(messages: ChatCompletionRequest['messages']): ChatMessage[] {
  return messages.map((m) => ({
    role: m.role === 'developer' ? 'system' : m.role,
    content: typeof m.content === 'string' ? m.content : (m.content ?? []).map((part) => part.text).join(''),
  }));
}

export function chatPromptTokens(tokenizer: TextTokenizer, messages: ChatCompletionRequest['messages'], add_generation_prompt: boolean): number[] {
  const text = tokenizer.applyChatTemplate(chatMessages(messages), { add_generation_prompt });
  // The template already holds the special tokens it needs (BOS, role markers).
  return tokenizer.encode(text, { add_special_tokens: false });
}

/** vLLM's rule: prompt + max_tokens must fit the context; the default fills what is left. */
function maxTokens(requested: number | null | undefined, param: string, promptLen: number, maxModelLen: number, promptParam: string): number {
  if (promptLen === 0) throw badParam(promptParam, 'The prompt is empty after tokenization: send at least one token.');
  if (promptLen >= maxModelLen) {
    throw badParam(
      promptParam,
      `This model's maximum context length is ${maxModelLen} tokens. However, your request has ${promptLen} input tokens. Please reduce the length of the input.`,
      'context_length_exceeded',
    );
  }
  if (requested === undefined || requested === null) return maxModelLen - promptLen;
  if (promptLen + requested > maxModelLen) {
    throw badParam(
      param,
      `This model's maximum context length is ${maxModelLen} tokens. However, you requested ${promptLen + requested} tokens (${promptLen} in the input, ${requested} in the completion). Please reduce the length of the input or '${param}'.`,
      'context_length_exceeded',
    );
  }
  return requested;
}

interface SamplingFields extends ProcessorOptions {
  readonly temperature?: number | null | undefined;
  readonly top_p?: number | null | undefined;
  readonly top_k?: number | null | undefined;
  readonly seed?: number | null | undefined;
  readonly stop?: string | readonly string[] | null | undefined;
  readonly stop_token_ids?: readonly number[] | null | undefined;
  readonly ignore_eos?: boolean | null | undefined;
}

function sampling(body: SamplingFields, max_tokens: number, logprobs: number | undefined, max_tokens_field: string): SamplingParams {
  const stop = body.stop ?? [];
  if (body.min_tokens != null && body.min_tokens > max_tokens) {
    throw badParam('min_tokens', `'min_tokens' (${body.min_tokens}) must be at most '${max_tokens_field}' (${max_tokens}).`);
  }
  return {
    max_tokens,
    temperature: body.temperature ?? 1,
    top_p: body.top_p ?? 1,
    top_k: body.top_k ?? -1,
    ...(body.seed !== undefined && body.seed !== null ? { seed: body.seed } : {}),
    stop: typeof stop === 'string' ? [stop] : [...stop],
    stop_token_ids: [...(body.stop_token_ids ?? [])],
    ignore_eos: body.ignore_eos ?? false,
    ...(logprobs !== undefined ? { logprobs } : {}),
    ...processorFields(body),
  };
}

type Header = string | string[] | undefined;

export function prepareCompletion(router: EngineRouter, body: CompletionRequest, priorityHeader: Header): Prepared {
  const { engine, model } = resolveEngine(router, body.model);
  const prompt = completionPrompt(body.prompt, engine.tokenizer);
  // OpenAI's completions default is 16 tokens; vLLM keeps it.
  const max_tokens = maxTokens(body.max_tokens ?? 16, 'max_tokens', prompt.length, engine.max_model_len, 'prompt');
  return finish(engine, model, prompt, sampling(body, max_tokens, body.logprobs ?? undefined, 'max_tokens'), body, priorityHeader, 'cmpl');
}

export function prepareChat(router: EngineRouter, body: ChatCompletionRequest, priorityHeader: Header): Prepared {
  const { engine, model } = resolveEngine(router, body.model);
  if (body.top_logprobs !== undefined && body.top_logprobs !== null && body.logprobs !== true) {
    throw badParam('top_logprobs', "'top_logprobs' needs 'logprobs': true.");
  }
  const prompt = chatPromptTokens(engine.tokenizer, body.messages, body.add_generation_prompt ?? true);
  const param = body.max_completion_tokens !== undefined && body.max_completion_tokens !== null ? 'max_completion_tokens' : 'max_tokens';
  const max_tokens = maxTokens(body.max_completion_tokens ?? body.max_tokens, param, prompt.length, engine.max_model_len, 'messages');
  const logprobs = body.logprobs === true ? (body.top_logprobs ?? 0) : undefined;
  return finish(engine, model, prompt, sampling(body, max_tokens, logprobs, param), body, priorityHeader, 'chatcmpl');
}

function finish(
  engine: GenerationEngine,
  model: string,
  prompt_token_ids: number[],
  params: SamplingParams,
  body: CompletionRequest | ChatCompletionRequest,
  priorityHeader: Header,
  prefix: string,
): Prepared {
  if (body.stream_options !== undefined && body.stream_options !== null && body.stream !== true) {
    throw badParam('stream_options', "'stream_options' is only allowed with 'stream': true.");
  }
  return {
    engine,
    model,
    request: {
      request_id: `${prefix}-${randomUUID().replaceAll('-', '')}`,
      prompt_token_ids,
      sampling: params,
      priority: resolvePriority(body.priority, priorityHeader),
    },
    stream: body.stream ?? false,
    include_usage: body.stream_options?.include_usage ?? false,
    return_token_ids: body.return_token_ids ?? false,
    n: body.n ?? 1,
  };
}
