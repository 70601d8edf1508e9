import test from 'ava';
import path from 'node:path';
import { writeFile, readFile } from 'node:fs/promises';
import { ConfigError } from '../../config/index.ts';
import { buildTinyTokenizer, HfTokenizer, loadTokenizer, parseTokenizerConfig } from '../../backend/model/index.ts';
import { microModel, tempDir } from './helpers.ts';

const files = buildTinyTokenizer(1024, 2048);
const tok = new HfTokenizer(files.tokenizer, parseTokenizerConfig(files.config), { extra_eos_token_ids: [files.special_ids['<|endoftext|>']] });

const SAMPLES = [
  'Hello, world! The scheduler plans one step at a time.',
  "It's 2025-01-01; they're here.\n\n  indented\tand tabbed",
  '你好，世界！大语言模型的推理需要很多显存。',
  'Emoji 🚀🤖👋 and a family 👨‍👩‍👧 and flags 🇯🇵, ❤️',
  'Mixed: café 咖啡 ☕ naïve',
  '',
];

test('encode → decode round-trips ASCII, Chinese and emoji', (t) => {
  for (const s of SAMPLES) {
    const ids = tok.encode(s);
    t.true(ids.every((id) => Number.isInteger(id) && id >= 0 && id < 1024), s);
    t.is(tok.decode(ids), s, s);
  }
});

test('learned merges compress text the corpus knows, byte tokens cover what it does not', (t) => {
  const known = 'The scheduler plans one step at a time';
  t.true(tok.encode(known).length < new TextEncoder().encode(known).length / 2);
  const unseen = 'Ωμέγα ⌘ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢';
  t.is(tok.decode(tok.encode(unseen)), unseen);
});

test('special tokens: one id each, kept or skipped by decode, EOS ids from both files', (t) => {
  const ids = tok.encode('<|im_start|>user\nhi<|im_end|>');
  t.is(ids[0], files.special_ids['<|im_start|>']);
  t.is(ids.at(-1), files.special_ids['<|im_end|>']);
  t.is(tok.decode(ids, { skip_special_tokens: true }), 'user\nhi');
  t.is(tok.decode(ids), '<|im_start|>user\nhi<|im_end|>');
  t.deepEqual(tok.eos_token_ids, [files.special_ids['<|endoftext|>'], files.special_ids['<|im_end|>']].sort((a, b) => a - b));
  t.is(tok.bos_token_id, undefined);
  t.is(tok.vocab_size, 1024);
  // Every id of the vocabulary decodes (a random model samples any of them).
  for (let id = 0; id < 1024; id++) t.not(tok.tokenOf(id), undefined, String(id));
});

test('ChatML chat template renders a conversation exactly', (t) => {
  const text = tok.applyChatTemplate([
    { role: 'system', content: 'You are helpful.' },
    { role: 'user', content: '你好 🚀' },
    { role: 'assistant', content: 'Hi!' },
    { role: 'user', content: 'Bye' },
  ], { add_generation_prompt: true });
  t.is(text, '<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\n你好 🚀<|im_end|>\n<|im_start|>assistant\nHi!<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n');
  const noPrompt = tok.applyChatTemplate([{ role: 'user', content: 'x' }]);
  t.is(noPrompt, '<|im_start|>user\nx<|im_end|>\n');
  const ids = tok.encode(text, { add_special_tokens: false });
  t.is(ids.filter((id) => id === files.special_ids['<|im_start|>']).length, 5);
  t.is(tok.decode(ids), text);
});

test('tokenizer_config variants: list of templates, AddedToken objects, chat_template.jinja wins', async (t) => {
  const s = parseTokenizerConfig({
    chat_template: [{ name: 'tool_use', template: 'T' }, { name: 'default', template: 'D' }],
    bos_token: { content: '<|endoftext|>', lstrip: false }, eos_token: '<|im_end|>', add_bos_token: null,
  });
  t.is(s.chat_template, 'D');
  t.is(s.bos_token, '<|endoftext|>');
  t.is(s.add_bos_token, undefined);
  t.is(parseTokenizerConfig({ chat_template: 'A' }, 'x', 'B').chat_template, 'B');
  t.regex(t.throws(() => parseTokenizerConfig({ chat_template: 3 }, 'tc.json'), { instanceOf: ConfigError }).message, /tc\.json: Expected chat_template/);
  t.throws(() => new HfTokenizer(files.tokenizer, parseTokenizerConfig({ ...files.config, eos_token: '<|nope|>' })), { message: /eos_token to be a token in tokenizer\.json's vocabulary, received "<\|nope\|>"/ });

  const { dir, cleanup } = await tempDir();
  try {
    const m = await microModel(dir);
    await writeFile(path.join(m, 'chat_template.jinja'), "{% for m in messages %}[{{ m['role'] }}]{{ m['content'] }}{% endfor %}");
    const loaded = await loadTokenizer(m);
    t.is(loaded.applyChatTemplate([{ role: 'user', content: 'q' }]), '[user]q');
    const raw = JSON.parse(await readFile(path.join(m, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
    t.is(raw['chat_template'], files.config['chat_template']);
  } finally {
    await cleanup();
  }
});

test('a template that fails to parse is a ConfigError naming chat_template', (t) => {
  const err = t.throws(() => new HfTokenizer(files.tokenizer, parseTokenizerConfig({ ...files.config, chat_template: '{% if %}' })), { instanceOf: ConfigError });
  t.regex(err.message, /chat_template/);
});
