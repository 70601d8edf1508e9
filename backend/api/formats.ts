// The response shapes of the two endpoints, streamed and whole (OpenAI's field names).
import type { FinishReason, GenerationDelta } from '../engine/types.ts';
import { chatLogprobs, completionLogprobs, mergeCompletionLogprobs, type ChatLogprobs, type CompletionLogprobs } from './logprobs.ts';
import type { Prepared } from './prepare.ts';
import type { Usage } from './tracked.ts';

/** How one endpoint turns engine deltas into chunks and answers. */
export interface ResponseFormat {
  /** Chunks sent before the first delta (chat announces the assistant role). */
  opening(): unknown[];
  /** The chunk for one delta; undefined when it carries nothing to send. */
  chunk(delta: GenerationDelta): unknown;
  /** `JSON.stringify(chunk(delta))`, byte for byte, built from a template on the common path (text only). */
  chunkJson(delta: GenerationDelta): string | undefined;
  /** The last streamed chunk when `include_usage`: no choices, the usage. */
  usageChunk(usage: Usage): unknown;
  /** The non-streaming answer from all deltas. */
  whole(deltas: readonly GenerationDelta[], finish: FinishReason, usage: Usage): unknown;
}

const now_s = (): number => Math.floor(Date.now() / 1e3);

/** Stands for the text in a chunk's shape; no real text can end up in the template instead (see textTemplate). */
const TEXT_SLOT = '\u0000text\u0000';

/**
 * A request's token chunks differ only in their text: this serialises the chunk's shape once,
 * with TEXT_SLOT as the text, and then per token joins the parts around `JSON.stringify(text)`,
 * which is what JSON.stringify writes for that string inside the object. One SSE event per token
 * per stream otherwise builds and serialises a fresh object each time (bench:serve section 2b).
 * The slot is looked up from the end: only fixed keys and null follow the text in the shapes
 * used here, while the id and the model name before it are the client's.
 */
function textTemplate(shape: unknown): (text: string) => string {
  const json = JSON.stringify(shape);
  const slot = JSON.stringify(TEXT_SLOT);
  const at = json.lastIndexOf(slot);
  const before = json.slice(0, at);
  const after = json.slice(at + slot.length);
  return (text) => before + JSON.stringify(text) + after;
}

/** The common chunk (tokens, no finish_reason) through `template` when there is one, anything else through JSON.stringify. */
function chunkJsonOf(format: Pick<ResponseFormat, 'chunk'>, template: ((text: string) => string) | undefined, delta: GenerationDelta): string | undefined {
  if (template !== undefined && delta.finish_reason === undefined && delta.token_ids.length > 0) return template(delta.text);
  const chunk = format.chunk(delta);
  return chunk === undefined ? undefined : JSON.stringify(chunk);
}

export function completionFormat(prepared: Prepared, index = 0): ResponseFormat {
  const { request, engine, model } = prepared;
  const top = request.sampling.logprobs;
  const created = now_s();
  const head = { id: request.request_id, object: 'text_completion', created, model };
  const usageNull = prepared.include_usage ? { usage: null } : {};
  const ids = (deltas: readonly GenerationDelta[]): { token_ids?: number[] } => (prepared.return_token_ids ? { token_ids: deltas.flatMap((d) => d.token_ids) } : {});
  let offset = 0;
  const logprobsOf = (delta: GenerationDelta): CompletionLogprobs | null => {
    if (top === undefined) return null;
    const lp = completionLogprobs(engine.tokenizer, delta.logprobs ?? [], top, offset);
    offset += delta.text.length;
    return lp;
  };
  // Logprobs and token ids vary per chunk beyond the text: those requests take the general path.
  const template = top === undefined && !prepared.return_token_ids
    ? textTemplate({ ...head, choices: [{ index, text: TEXT_SLOT, logprobs: null, finish_reason: null }], ...usageNull })
    : undefined;
  return {
    opening: () => [],
    chunk(delta) {
      if (delta.text === '' && delta.finish_reason === undefined && delta.token_ids.length === 0) return undefined;
      return { ...head, choices: [{ index, text: delta.text, logprobs: logprobsOf(delta), finish_reason: delta.finish_reason ?? null, ...ids([delta]) }], ...usageNull };
    },
    chunkJson(delta) {
      return chunkJsonOf(this, template, delta);
    },
    usageChunk: (usage) => ({ ...head, choices: [], usage }),
    whole(deltas, finish, usage) {
      const logprobs = top === undefined ? null : mergeCompletionLogprobs(deltas.map(logprobsOf).filter((x) => x !== null));
      return { ...head, choices: [{ index, text: deltas.map((d) => d.text).join(''), logprobs, finish_reason: finish, ...ids(deltas) }], usage };
    },
  };
}

export function chatFormat(prepared: Prepared, index = 0): ResponseFormat {
  const { request, engine, model } = prepared;
  const top = request.sampling.logprobs;
  const head = { id: request.request_id, object: 'chat.completion.chunk', created: now_s(), model };
  const usageNull = prepared.include_usage ? { usage: null } : {};
  const logprobsOf = (delta: GenerationDelta): ChatLogprobs | null =>
    top === undefined ? null : chatLogprobs(engine.tokenizer, delta.logprobs ?? [], top);
  const template = top === undefined
    ? textTemplate({ ...head, choices: [{ index, delta: { content: TEXT_SLOT }, logprobs: null, finish_reason: null }], ...usageNull })
    : undefined;
  return {
    opening: () => [{ ...head, choices: [{ index, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }], ...usageNull }],
    chunk(delta) {
      if (delta.text === '' && delta.finish_reason === undefined && delta.token_ids.length === 0) return undefined;
      const content = delta.text === '' && delta.finish_reason !== undefined ? {} : { content: delta.text };
      return { ...head, choices: [{ index, delta: content, logprobs: logprobsOf(delta), finish_reason: delta.finish_reason ?? null }], ...usageNull };
    },
    chunkJson(delta) {
      return chunkJsonOf(this, template, delta);
    },
    usageChunk: (usage) => ({ ...head, choices: [], usage }),
    whole(deltas, finish, usage) {
      const logprobs = top === undefined ? null : { content: deltas.flatMap((d) => logprobsOf(d)?.content ?? []) };
      return {
        ...head,
        object: 'chat.completion',
        choices: [{ index, message: { role: 'assistant', content: deltas.map((d) => d.text).join('') }, logprobs, finish_reason: finish }],
        usage,
      };
    },
  };
}
