import type { TextTokenizer, TokenLogprob } from '../engine/types.ts';

/** Legacy completions logprobs: parallel arrays, alternatives as `{token text: logprob}`. */
export interface CompletionLogprobs {
  tokens: string[];
  token_logprobs: number[];
  top_logprobs: Record<string, number>[] | null;
  text_offset: number[];
}

interface ChatTokenLogprob {
  readonly token: string;
  readonly logprob: number;
  readonly bytes: number[];
}

/** Chat logprobs: one entry per token with its top alternatives. */
export interface ChatLogprobs {
  content: (ChatTokenLogprob & { readonly top_logprobs: ChatTokenLogprob[] })[];
}

const text = (tokenizer: TextTokenizer, id: number): string => tokenizer.decode([id], { skip_special_tokens: false });

export function completionLogprobs(tokenizer: TextTokenizer, entries: readonly TokenLogprob[], top: number, start_offset: number): CompletionLogprobs {
  const out: CompletionLogprobs = { tokens: [], token_logprobs: [], top_logprobs: top > 0 ? [] : null, text_offset: [] };
  let offset = start_offset;
  for (const e of entries) {
    const token = text(tokenizer, e.token_id);
    out.tokens.push(token);
    out.token_logprobs.push(e.logprob);
    out.text_offset.push(offset);
    offset += token.length;
    out.top_logprobs?.push(Object.fromEntries((e.top ?? []).slice(0, top).map((alt) => [text(tokenizer, alt.token_id), alt.logprob])));
  }
  return out;
}

export function chatLogprobs(tokenizer: TextTokenizer, entries: readonly TokenLogprob[], top: number): ChatLogprobs {
  const one = (id: number, logprob: number): ChatTokenLogprob => {
    const token = text(tokenizer, id);
    return { token, logprob, bytes: [...Buffer.from(token, 'utf8')] };
  };
  return {
    content: entries.map((e) => ({
      ...one(e.token_id, e.logprob),
      top_logprobs: (e.top ?? []).slice(0, top).map((alt) => one(alt.token_id, alt.logprob)),
    })),
  };
}

/** Concatenates logprobs of several deltas (non-streaming answers). */
export function mergeCompletionLogprobs(parts: readonly CompletionLogprobs[]): CompletionLogprobs | null {
  if (parts.length === 0) return null;
  const first = parts[0] as CompletionLogprobs;
  return {
    tokens: parts.flatMap((p) => p.tokens),
    token_logprobs: parts.flatMap((p) => p.token_logprobs),
    top_logprobs: first.top_logprobs === null ? null : parts.flatMap((p) => p.top_logprobs ?? []),
    text_offset: parts.flatMap((p) => p.text_offset),
  };
}
