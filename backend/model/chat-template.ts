// A model's chat template (Jinja, as transformers' apply_chat_template renders it), through
// @huggingface/jinja: pure JS, no Python, no network.
import { Template } from '@huggingface/jinja';
import { ConfigError } from '../../config/index.ts';
import type { ChatMessage } from '../engine/types.ts';

export interface ChatTemplateContext {
  readonly bos_token?: string;
  readonly eos_token?: string;
}

export class ChatTemplate {
  readonly source: string;
  readonly #template: Template;
  readonly #context: ChatTemplateContext;

  constructor(text: string, context: ChatTemplateContext, source = 'tokenizer_config.json') {
    this.source = source;
    try {
      this.#template = new Template(text);
    } catch (err) {
      throw ConfigError.single('chat_template', `a Jinja template @huggingface/jinja can parse (${err instanceof Error ? err.message : String(err)})`, text, { source, cause: err });
    }
    this.#context = context;
  }

  /** Templates that call raise_exception() (e.g. roles out of order) fail with its message. */
  render(messages: readonly ChatMessage[], options: { add_generation_prompt?: boolean } = {}): string {
    try {
      return this.#template.render({
        messages: messages.map((m) => ({ role: m.role, content: m.content })),
        add_generation_prompt: options.add_generation_prompt ?? false,
        bos_token: this.#context.bos_token ?? '',
        eos_token: this.#context.eos_token ?? '',
      });
    } catch (err) {
      throw new Error(`${this.source}: chat_template failed to render: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
}
