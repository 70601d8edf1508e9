import test from 'ava';
import { buildTinyTokenizer, HfTokenizer, parseTokenizerConfig } from '../../backend/model/index.ts';
import { Detokenizer } from '../../backend/engine/detokenizer.ts';

const files = buildTinyTokenizer(1024, 2048);
const tok = new HfTokenizer(files.tokenizer, parseTokenizerConfig(files.config));
const byteId = (b: number) => b; // the first 256 ids are the bytes, in order

const TEXTS = [
  'Hello, world! The scheduler plans one step at a time.',
  '你好，世界！大语言模型的推理需要很多显存。',
  'Emoji 🚀🤖👋 family 👨‍👩‍👧 flag 🇯🇵 heart ❤️ end',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 Ωμέγα ⌘ 咖啡☕',
];

function isWellFormed(s: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

test('deltas concatenate to the full decode and never hold half a character', (t) => {
  for (const text of TEXTS) {
    const ids = tok.encode(text, { add_special_tokens: false });
    const d = new Detokenizer(tok);
    const deltas = ids.map((id) => d.push(id));
    deltas.push(d.flush());
    t.is(deltas.join(''), tok.decode(ids), text);
    t.is(d.text, text);
    for (const delta of deltas) {
      t.false(delta.includes('\uFFFD'), `${text}: delta ${JSON.stringify(delta)}`);
      t.true(isWellFormed(delta), `${text}: lone surrogate in ${JSON.stringify(delta)}`);
    }
  }
});

test('a 4-byte character sent as 4 byte tokens comes out whole on the 4th', (t) => {
  const bytes = [...new TextEncoder().encode('𝔘')];
  t.is(bytes.length, 4);
  const d = new Detokenizer(tok);
  t.deepEqual(bytes.map((b) => d.push(byteId(b))), ['', '', '', '𝔘']);
  // Split across a merged token: "你" is 3 bytes; send its first byte then the rest.
  const ni = [...new TextEncoder().encode('a你')];
  const e = new Detokenizer(tok);
  t.deepEqual(ni.map((b) => e.push(byteId(b))), ['a', '', '', '你']);
});

test('tokens that mix a complete character with half of the next one', (t) => {
  // Find merged tokens whose bytes end mid-character (they exist: merges learned on Chinese text).
  const split = [...Array(1017).keys()].filter((id) => {
    const piece = tok.decode([id]);
    return piece.endsWith('\uFFFD') && piece.length > 1;
  });
  t.true(split.length > 0, 'the tiny tokenizer has tokens ending inside a character');
  let checked = 0;
  for (const text of ['大语言模型', '你好，世界', '显存需要']) {
    const ids = tok.encode(text, { add_special_tokens: false });
    if (!ids.some((id) => split.includes(id))) continue;
    checked++;
    const d = new Detokenizer(tok);
    const out = ids.map((id) => d.push(id)).join('') + d.flush();
    t.is(out, text);
  }
  t.true(checked > 0, 'at least one sample text uses such a token');
});

test('invalid bytes are emitted as U+FFFD once they cannot become a character', (t) => {
  const d = new Detokenizer(tok);
  const out = [0x80, 0x80, 0x80, 0x80, 0x80].map((b) => d.push(b));
  t.is(out.slice(0, 3).join(''), '', 'held while it could still be a character');
  t.true(out.join('').includes('\uFFFD'));
  const rest = d.flush();
  t.is(out.join('') + rest, tok.decode([0x80, 0x80, 0x80, 0x80, 0x80]));
  // A truncated character at the end of generation is flushed as U+FFFD.
  const e = new Detokenizer(tok);
  t.is(e.push(0xe4), '');
  t.is(e.flush(), '\uFFFD');
});

test('special tokens are skipped by default, kept on request; prompt ids give context', (t) => {
  const im_end = files.special_ids['<|im_end|>'];
  const hi = tok.encode('Hi', { add_special_tokens: false });
  const d = new Detokenizer(tok, { prompt_ids: tok.encode('<|im_start|>assistant\n', { add_special_tokens: false }) });
  const text = [...hi, im_end].map((id) => d.push(id)).join('') + d.flush();
  t.is(text, 'Hi');
  const k = new Detokenizer(tok, { skip_special_tokens: false });
  t.is([...hi, im_end].map((id) => k.push(id)).join('') + k.flush(), 'Hi<|im_end|>');
});
