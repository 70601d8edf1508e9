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
  /** The last streamed chunk when `include_usage`: no choices, the usage. */
  usageChunk(usage: Usage): unknown;
  /** The non-streaming answer from all deltas. */
  whole(deltas: readonly GenerationDelta[], finish: FinishReason, usage: Usage): unknown;
}

const now_s = (): number => Math.floor(Date.now() / 1e3);

export function completionFormat(prepared: Prepared): ResponseFormat {
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
  return {
    opening: () => [],
    chunk(delta) {
      if (delta.text === '' && delta.finish_reason === undefined && delta.token_ids.length === 0) return undefined;
      return { ...head, choices: [{ index: 0, text: delta.text, logprobs: logprobsOf(delta), finish_reason: delta.finish_reason ?? null, ...ids([delta]) }], ...usageNull };
    },
    usageChunk: (usage) => ({ ...head, choices: [], usage }),
    whole(deltas, finish, usage) {
      const logprobs = top === undefined ? null : mergeCompletionLogprobs(deltas.map(logprobsOf).filter((x) => x !== null));
      return { ...head, choices: [{ index: 0, text: deltas.map((d) => d.text).join(''), logprobs, finish_reason: finish, ...ids(deltas) }], usage };
    },
  };
}

export function chatFormat(prepared: Prepared): ResponseFormat {
  const { request, engine, model } = prepared;
  const top = request.sampling.logprobs;
  const head = { id: request.request_id, object: 'chat.completion.chunk', created: now_s(), model };
  const usageNull = prepared.include_usage ? { usage: null } : {};
  const logprobsOf = (delta: GenerationDelta): ChatLogprobs | null =>
    top === undefined ? null : chatLogprobs(engine.tokenizer, delta.logprobs ?? [], top);
  return {
    opening: () => [{ ...head, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }], ...usageNull }],
    chunk(delta) {
      if (delta.text === '' && delta.finish_reason === undefined && delta.token_ids.length === 0) return undefined;
      const content = delta.text === '' && delta.finish_reason !== undefined ? {} : { content: delta.text };
      return { ...head, choices: [{ index: 0, delta: content, logprobs: logprobsOf(delta), finish_reason: delta.finish_reason ?? null }], ...usageNull };
    },
    usageChunk: (usage) => ({ ...head, choices: [], usage }),
    whole(deltas, finish, usage) {
      const logprobs = top === undefined ? null : { content: deltas.flatMap((d) => logprobsOf(d)?.content ?? []) };
      return {
        ...head,
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: deltas.map((d) => d.text).join('') }, logprobs, finish_reason: finish }],
        usage,
      };
    },
  };
}
