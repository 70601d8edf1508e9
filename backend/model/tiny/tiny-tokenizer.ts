// The tiny models' tokenizer, in HF's formats: a byte-level BPE tokenizer.json (256 byte
// tokens, merges learned from TINY_CORPUS, then ChatML's special tokens) and a
// tokenizer_config.json with a ChatML chat template, as Qwen2-family models ship them.
import { BYTE_TO_CHAR } from './byte-level.ts';
import { learnBpe, PRETOKENIZE_PATTERN } from './bpe-trainer.ts';
import { TINY_CORPUS } from './corpus.ts';

export const SPECIAL_TOKENS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'] as const;

/** ChatML: every turn is `<|im_start|>role\ncontent<|im_end|>\n`; the prompt opens the assistant's turn. */
export const CHATML_TEMPLATE = [
  "{%- for message in messages %}",
  "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}",
  "{%- endfor %}",
  "{%- if add_generation_prompt %}",
  "{{- '<|im_start|>assistant\\n' }}",
  "{%- endif %}",
].join('\n');

export interface TinyTokenizerFiles {
  /** tokenizer.json */
  readonly tokenizer: Record<string, unknown>;
  /** tokenizer_config.json */
  readonly config: Record<string, unknown>;
  /** Token count (bytes + merges + specials + reserved): the requested vocabulary. */
  readonly size: number;
  readonly special_ids: Readonly<Record<(typeof SPECIAL_TOKENS)[number], number>>;
}

const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false };

export function buildTinyTokenizer(vocab: number, maxModelLen: number): TinyTokenizerFiles {
  const room = vocab - 256 - SPECIAL_TOKENS.length;
  if (room < 0) throw new RangeError(`vocab must be at least ${256 + SPECIAL_TOKENS.length} (256 bytes + ${SPECIAL_TOKENS.length} special tokens), got ${vocab}`);
  const { merges } = learnBpe(TINY_CORPUS, room);
  const tokens: string[] = [...BYTE_TO_CHAR];
  const vocabMap: Record<string, number> = Object.fromEntries(tokens.map((t, id) => [t, id]));
  for (const [a, b] of merges) {
    // Two merge paths can build the same string ((ab)c and a(bc)); it gets one id, so ids stay dense.
    if (!Object.hasOwn(vocabMap, a + b)) vocabMap[a + b] = tokens.push(a + b) - 1;
  }
  const specialIds = Object.fromEntries(SPECIAL_TOKENS.map((s, i) => [s, tokens.length + i])) as TinyTokenizerFiles['special_ids'];
  // Ids the corpus could not fill become reserved special tokens (as Llama 3's
  // <|reserved_special_token_N|>): a random model samples every id, and each must decode.
  const specials: string[] = [...SPECIAL_TOKENS];
  for (let i = 0; tokens.length + specials.length < vocab; i++) specials.push(`<|reserved_${i}|>`);
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((content, i) => ({
      id: tokens.length + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
    })),
    normalizer: { type: 'NFC' },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: PRETOKENIZE_PATTERN }, behavior: 'Isolated', invert: false },
        byteLevel,
      ],
    },
    post_processor: byteLevel,
    decoder: byteLevel,
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '',
      fuse_unk: false, byte_fallback: false, ignore_merges: false,
      vocab: vocabMap,
      merges: merges.map(([a, b]) => `${a} ${b}`),
    },
  };
  const config = {
    add_bos_token: false,
    add_prefix_space: false,
    bos_token: null,
    eos_token: '<|im_end|>',
    pad_token: '<|endoftext|>',
    unk_token: null,
    chat_template: CHATML_TEMPLATE,
    clean_up_tokenization_spaces: false,
    errors: 'replace',
    model_max_length: maxModelLen,
    split_special_tokens: false,
    tokenizer_class: 'Qwen2Tokenizer',
  };
  return { tokenizer, config, size: tokens.length + specials.length, special_ids: specialIds };
}
