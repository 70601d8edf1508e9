// Incremental detokenisation: token ids in one at a time, text deltas out, never half a
// character. Byte-level BPE pieces can split a UTF-8 character over several tokens; decoding
// such a prefix ends in U+FFFD, so the tail is held back until the character is complete.
// Deltas are differences of decodes over a short window (vLLM's prefix/read offsets), which
// also keeps SentencePiece's context-dependent leading spaces right.

/** The decode a detokenizer needs (TextTokenizer fits). */
export interface TokenDecoder {
  decode(ids: readonly number[], options?: { skip_special_tokens?: boolean }): string;
}

export interface DetokenizerOptions {
  /** Drop special tokens (EOS, <|im_end|>, …) from the text; default true, as vLLM. */
  readonly skip_special_tokens?: boolean;
  /** The prompt's ids: the last few give the first generated token its context. */
  readonly prompt_ids?: readonly number[];
}

const REPLACEMENT = '\uFFFD';
/** A UTF-8 character has at most 4 bytes, so it spans at most 4 tokens; a U+FFFD still there after more is real (invalid bytes). */
const MAX_HELD_TOKENS = 4;
/** Prompt tokens kept as context for the first delta (vLLM uses 5). */
const PROMPT_CONTEXT = 5;

export class Detokenizer {
  readonly #decoder: TokenDecoder;
  readonly #skip: boolean;
  #ids: number[];
  #prefix: number;
  #read: number;
  #text = '';

  constructor(decoder: TokenDecoder, opts: DetokenizerOptions = {}) {
    this.#decoder = decoder;
    this.#skip = opts.skip_special_tokens ?? true;
    const prompt = opts.prompt_ids ?? [];
    this.#ids = prompt.slice(Math.max(0, prompt.length - PROMPT_CONTEXT));
    this.#prefix = 0;
    this.#read = this.#ids.length;
  }

  /** Tokens pushed whose text is not emitted yet (a character still split). */
  get heldTokens(): number {
    return this.#ids.length - this.#read;
  }

  /** All text emitted so far. */
  get text(): string {
    return this.#text;
  }

  /** Adds one token; returns the text it completes ('' while a character is still split). */
  push(id: number): string {
    this.#ids.push(id);
    return this.#emit(false);
  }

  /** At the end of generation: whatever is held back, U+FFFD included. */
  flush(): string {
    return this.#emit(true);
  }

  #emit(force: boolean): string {
    if (this.#read === this.#ids.length) return '';
    const opts = { skip_special_tokens: this.#skip };
    const before = this.#decoder.decode(this.#ids.slice(this.#prefix, this.#read), opts);
    const after = this.#decoder.decode(this.#ids.slice(this.#prefix), opts);
    const held = this.#ids.length - this.#read;
    if (!force && (after.length <= before.length || after.endsWith(REPLACEMENT)) && held < MAX_HELD_TOKENS) return '';
    const delta = after.slice(newTextStart(before, after));
    // Keep the window short: the next decode starts at the last emitted boundary.
    this.#prefix = this.#read;
    this.#read = this.#ids.length;
    this.#ids = this.#ids.slice(this.#prefix);
    this.#read -= this.#prefix;
    this.#prefix = 0;
    this.#text += delta;
    return delta;
  }
}

/**
 * Where the new text of `after` begins: after the longest prefix it shares with `before`,
 * never inside a surrogate pair. (A window that began mid-character decodes to U+FFFD, which
 * the next decode may turn into an astral character of two UTF-16 units: slicing at
 * `before.length` would emit a lone surrogate, which UTF-8 cannot carry.)
 */
function newTextStart(before: string, after: string): number {
  if (after.startsWith(before)) return before.length;
  let common = 0;
  const max = Math.min(before.length, after.length);
  while (common < max && before.charCodeAt(common) === after.charCodeAt(common)) common++;
  const prev = after.charCodeAt(common - 1);
  if (common > 0 && prev >= 0xd800 && prev <= 0xdbff) common--;
  return common;
}
