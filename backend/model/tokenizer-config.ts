// tokenizer_config.json: the chat template, the BOS/EOS tokens and whether encode() adds BOS.
import { z } from 'zod';
import { parseConfig } from '../../config/index.ts';

/** transformers writes special tokens either as a string or as a serialised AddedToken. */
const specialToken = z.union([z.string(), z.looseObject({ content: z.string() })]).nullable().optional();

const schema = z.looseObject({
  /** One template, or named templates (`default`, `tool_use`, …) as a list. */
  chat_template: z.union([z.string(), z.array(z.looseObject({ name: z.string(), template: z.string() })).min(1)]).nullable().optional(),
  bos_token: specialToken,
  eos_token: specialToken,
  pad_token: specialToken,
  unk_token: specialToken,
  add_bos_token: z.boolean().nullable().optional(),
  add_eos_token: z.boolean().nullable().optional(),
  clean_up_tokenization_spaces: z.boolean().optional(),
  model_max_length: z.number().positive().optional(),
});

export interface TokenizerSettings {
  readonly chat_template?: string;
  readonly bos_token?: string;
  readonly eos_token?: string;
  readonly pad_token?: string;
  readonly add_bos_token?: boolean;
  readonly add_eos_token?: boolean;
  readonly clean_up_tokenization_spaces: boolean;
  readonly model_max_length?: number;
  /** The parsed object, for the tokenizer library (it reads a few fields of its own). */
  readonly raw: Record<string, unknown>;
}

const content = (t: z.infer<typeof specialToken>): string | undefined => (t == null ? undefined : typeof t === 'string' ? t : t.content);

/**
 * `templateFile` is the text of a separate `chat_template.jinja` (newer transformers save the
 * template there); it wins over the config's field, as in transformers.
 */
export function parseTokenizerConfig(input: unknown, source = 'tokenizer_config.json', templateFile?: string): TokenizerSettings {
  const raw = parseConfig(schema, input, '', source);
  let template = templateFile;
  if (template === undefined && raw.chat_template != null) {
    template = typeof raw.chat_template === 'string'
      ? raw.chat_template
      : (raw.chat_template.find((t) => t.name === 'default') ?? raw.chat_template[0]!).template;
  }
  const bos = content(raw.bos_token);
  const eos = content(raw.eos_token);
  const pad = content(raw.pad_token);
  return {
    ...(template !== undefined ? { chat_template: template } : {}),
    ...(bos !== undefined ? { bos_token: bos } : {}),
    ...(eos !== undefined ? { eos_token: eos } : {}),
    ...(pad !== undefined ? { pad_token: pad } : {}),
    ...(raw.add_bos_token != null ? { add_bos_token: raw.add_bos_token } : {}),
    ...(raw.add_eos_token != null ? { add_eos_token: raw.add_eos_token } : {}),
    // transformers' default was true for years; models that care (Qwen2, Llama 3) set it.
    clean_up_tokenization_spaces: raw.clean_up_tokenization_spaces ?? false,
    ...(raw.model_max_length !== undefined ? { model_max_length: raw.model_max_length } : {}),
    raw: raw as Record<string, unknown>,
  };
}
