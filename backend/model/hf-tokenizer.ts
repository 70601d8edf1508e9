// TextTokenizer over an HF `tokenizer.json` (@huggingface/tokenizers: pure JS, offline) and the
// chat template of `tokenizer_config.json`.
import { Tokenizer } from '@huggingface/tokenizers';
import { ConfigError } from '../../config/index.ts';
import type { ChatMessage, TextTokenizer } from '../engine/types.ts';
import { ChatTemplate } from './chat-template.ts';
import type { TokenizerSettings } from './tokenizer-config.ts';

export interface HfTokenizerOptions {
  /** EOS ids from generation_config.json; merged with the tokenizer's own eos_token. */
  readonly extra_eos_token_ids?: readonly number[];
  /** Names the files in errors. */
  readonly source?: string;
}

export class HfTokenizer implements TextTokenizer {
  readonly eos_token_ids: readonly number[];
  readonly bos_token_id: number | undefined;
  /** Ids of every special (added, `special: true`) token. */
  readonly special_token_ids: ReadonlySet<number>;
  readonly settings: TokenizerSettings;
  readonly #tok: Tokenizer;
  readonly #template: ChatTemplate | undefined;
  readonly #source: string;

  constructor(tokenizerJson: unknown, settings: TokenizerSettings, opts: HfTokenizerOptions = {}) {
    this.#source = opts.source ?? 'tokenizer.json';
    if (typeof tokenizerJson !== 'object' || tokenizerJson === null || !('model' in tokenizerJson)) {
      throw ConfigError.single('model', 'a tokenizer model object (is this an HF tokenizer.json?)', tokenizerJson, { source: this.#source });
    }
    try {
      this.#tok = new Tokenizer(tokenizerJson, settings.raw);
    } catch (err) {
      throw ConfigError.single('(file)', `a tokenizer.json @huggingface/tokenizers supports (${err instanceof Error ? err.message : String(err)})`, (tokenizerJson as { model?: { type?: unknown } }).model?.type, { source: this.#source, cause: err });
    }
    this.settings = settings;
    this.special_token_ids = new Set([...this.#tok.get_added_tokens_decoder()].filter(([, t]) => t.special).map(([id]) => id));
    this.bos_token_id = settings.bos_token === undefined ? undefined : this.#tokenId(settings.bos_token, 'bos_token');
    const eos = new Set(opts.extra_eos_token_ids ?? []);
    if (settings.eos_token !== undefined) eos.add(this.#tokenId(settings.eos_token, 'eos_token'));
    this.eos_token_ids = [...eos].sort((a, b) => a - b);
    this.#template = settings.chat_template === undefined
      ? undefined
      : new ChatTemplate(settings.chat_template, {
        ...(settings.bos_token !== undefined ? { bos_token: settings.bos_token } : {}),
        ...(settings.eos_token !== undefined ? { eos_token: settings.eos_token } : {}),
      });
  }

  /** Size of the tokenizer's vocabulary including added tokens (may be below config.vocab_size). */
  get vocab_size(): number {
    return this.#tok.get_vocab(true).size;
  }

  get has_chat_template(): boolean {
    return this.#template !== undefined;
  }

  /**
   * add_special_tokens (default true) applies tokenizer.json's post-processor (e.g. Llama 3's
   * BOS). Text from applyChatTemplate already holds its special tokens: encode it with false,
   * as vLLM does.
   */
  encode(text: string, options: { add_special_tokens?: boolean } = {}): number[] {
    if (text.length === 0) return options.add_special_tokens === false ? [] : this.#tok.encode('', { add_special_tokens: true }).ids;
    return this.#tok.encode(text, { add_special_tokens: options.add_special_tokens ?? true }).ids;
  }

  decode(ids: readonly number[], options: { skip_special_tokens?: boolean } = {}): string {
    if (ids.length === 0) return '';
    return this.#tok.decode([...ids], {
      skip_special_tokens: options.skip_special_tokens ?? false,
      clean_up_tokenization_spaces: this.settings.clean_up_tokenization_spaces,
    });
  }

  applyChatTemplate(messages: readonly ChatMessage[], options: { add_generation_prompt?: boolean } = {}): string {
    if (!this.#template) {
      throw new Error(`${this.#source}: this model has no chat_template (tokenizer_config.json); send a plain prompt instead of messages`);
    }
    return this.#template.render(messages, options);
  }

  /** The id of a token string, or undefined. */
  idOf(token: string): number | undefined {
    return this.#tok.token_to_id(token);
  }

  tokenOf(id: number): string | undefined {
    return this.#tok.id_to_token(id);
  }

  #tokenId(token: string, field: string): number {
    const id = this.#tok.token_to_id(token);
    if (id === undefined) throw ConfigError.single(field, 'a token in tokenizer.json\'s vocabulary', token, { source: 'tokenizer_config.json' });
    return id;
  }
}
