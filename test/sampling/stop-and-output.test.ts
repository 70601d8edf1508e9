import test from 'ava';
import seedrandom from 'seedrandom';
import { buildTinyTokenizer, HfTokenizer, parseTokenizerConfig } from '../../backend/model/index.ts';
import { StopStringMatcher } from '../../backend/engine/sampling-stop.ts';
import { RequestOutput } from '../../backend/engine/sampling-output.ts';
import { parseSamplingParams } from '../../backend/engine/sampling-params.ts';
import type { GenerationDelta } from '../../backend/engine/types.ts';

const files = buildTinyTokenizer(1024, 2048);
const tok = new HfTokenizer(files.tokenizer, parseTokenizerConfig(files.config));
const IM_END = files.special_ids['<|im_end|>'];

test('stop strings across delta boundaries: held while they might match, cut when they do', (t) => {
  const m = new StopStringMatcher(['STOP', 'o, w']);
  t.deepEqual(m.push('abc S'), { text: 'abc ' });
  t.deepEqual(m.push('TO'), { text: '' });
  t.deepEqual(m.push('x'), { text: 'STOx' }, 'not a stop after all: released');
  t.deepEqual(m.push('Hello'), { text: 'Hell' });
  t.deepEqual(m.push(', world'), { text: '', stop: 'o, w' }, '"Hell" was already emitted');
  const f = new StopStringMatcher(['end']);
  t.deepEqual(f.push('the en'), { text: 'the ' });
  t.is(f.flush(), 'en');
  const none = new StopStringMatcher([]);
  t.deepEqual(none.push('anything'), { text: 'anything' });
  // Earliest match wins; at one position the longer stop string.
  const two = new StopStringMatcher(['ab', 'abc', 'b']);
  t.deepEqual(two.push('xabcd'), { text: 'x', stop: 'abc' });
});

/** Feeds `ids` through a RequestOutput and returns its deltas. */
function feed(out: RequestOutput, ids: number[]): GenerationDelta[] {
  const deltas: GenerationDelta[] = [];
  for (const id of ids) {
    deltas.push(out.append(id));
    if (out.finished) break;
  }
  return deltas;
}

const make = (opts: Record<string, unknown>, prompt = 'Q') => new RequestOutput({
  request_id: 'r1', params: parseSamplingParams(opts), decoder: tok, eos_token_ids: [IM_END],
  prompt_token_ids: tok.encode(prompt, { add_special_tokens: false }),
});

test('a stop string split over tokens ends the output just before it', (t) => {
  const ids = tok.encode('Hello, world! How are you today?', { add_special_tokens: false });
  const out = make({ stop: ['world!'], max_tokens: 100 });
  const deltas = feed(out, ids);
  t.is(deltas.map((d) => d.text).join(''), 'Hello, ');
  t.is(out.finish_reason, 'stop');
  t.is(out.stop_reason, 'world!');
  t.is(deltas.at(-1)!.finish_reason, 'stop');
  t.true(deltas.length < ids.length);
});

test('stop strings inside a multi-byte text and across the 4-byte split', (t) => {
  const text = '你好🚀世界';
  const bytes = [...new TextEncoder().encode(text)]; // one byte per token: every character split
  const out = make({ stop: ['🚀世'], max_tokens: 100 });
  t.is(feed(out, bytes).map((d) => d.text).join(''), '你好');
  t.is(out.stop_reason, '🚀世');
});

test('EOS ends with "stop" and no text of its own; ignore_eos goes on; stop_token_ids give stop_reason', (t) => {
  const hi = tok.encode('Hi there', { add_special_tokens: false });
  const a = make({ max_tokens: 50 });
  const da = feed(a, [...hi, IM_END, ...hi]);
  t.is(da.map((d) => d.text).join(''), 'Hi there');
  t.is(a.finish_reason, 'stop');
  t.is(a.stop_reason, undefined);
  t.deepEqual(a.output_token_ids, [...hi, IM_END]);

  const b = make({ max_tokens: 50, ignore_eos: true });
  feed(b, [...hi, IM_END, ...hi]);
  t.false(b.finished);
  t.is(b.output_token_ids.length, 2 * hi.length + 1);

  const c = make({ max_tokens: 50, stop_token_ids: [hi[1]!] });
  const dc = feed(c, hi);
  t.is(c.stop_reason, hi[1]);
  t.is(dc.map((d) => d.text).join(''), tok.decode([hi[0]!]));
});

test('max_tokens ends with "length" and flushes text held for a possible stop string', (t) => {
  const ids = tok.encode('one two three four', { add_special_tokens: false });
  const out = make({ max_tokens: ids.length, stop: ['four!'] });
  const deltas = feed(out, ids);
  t.is(out.finish_reason, 'length');
  t.is(deltas.map((d) => d.text).join(''), 'one two three four');
  t.throws(() => out.append(1), { message: /already finished \(length\)/ });
  t.deepEqual(out.abort(), { request_id: 'r1', token_ids: [], text: '', finish_reason: 'length' });
  const ab = make({ max_tokens: 10 });
  feed(ab, [0xe4]);
  t.like(ab.abort(), { finish_reason: 'abort', text: '\uFFFD' });
});

test('a snapshot taken mid-character and mid-stop-string loses no text', (t) => {
  const bytes = [...new TextEncoder().encode('ab你好 ST')];
  const params = { max_tokens: 100, stop: ['STOP'] };
  const cut = 3; // after 'a', 'b' and the first byte of 你
  const a = make(params);
  const before = feed(a, bytes.slice(0, cut)).map((d) => d.text).join('');
  const snap = a.snapshot();
  t.is(snap.held_tokens, 1);
  const b = new RequestOutput({ request_id: 'r1', params: parseSamplingParams(params), decoder: tok, eos_token_ids: [IM_END], prompt_token_ids: [], ...snap });
  const middle = feed(b, bytes.slice(cut)).map((d) => d.text).join('');
  t.is(before + middle, 'ab你好 ', '" ST" held: it may start STOP');
  const snap2 = b.snapshot();
  t.is(snap2.held_text, 'ST');
  const c = new RequestOutput({ request_id: 'r1', params: parseSamplingParams(params), decoder: tok, eos_token_ids: [IM_END], prompt_token_ids: [], ...snap2 });
  t.is(feed(c, [...new TextEncoder().encode('AY')]).map((d) => d.text).join(''), 'STAY');
});

test('sampling + snapshot: a request restored elsewhere continues with the same tokens and text', (t) => {
  const r = seedrandom('logits');
  const rows = Array.from({ length: 40 }, () => Float32Array.from({ length: 1024 }, () => (r() - 0.5) * 6));
  const params = { temperature: 0.8, top_p: 0.9, top_k: 50, seed: 11, max_tokens: 40, logprobs: 2, ignore_eos: true };
  const full = make(params);
  const fullDeltas = rows.map((row) => full.sample(row));
  const first = make(params);
  const head = rows.slice(0, 15).map((row) => first.sample(row));
  const snap = JSON.parse(JSON.stringify(first.snapshot())) as ReturnType<RequestOutput['snapshot']>;
  const moved = new RequestOutput({
    request_id: 'r1', params: parseSamplingParams(params), decoder: tok, eos_token_ids: [IM_END],
    prompt_token_ids: tok.encode('Q', { add_special_tokens: false }), ...snap,
  });
  const tail = rows.slice(15).map((row) => moved.sample(row));
  t.deepEqual([...head, ...tail].map((d) => d.token_ids[0]), fullDeltas.map((d) => d.token_ids[0]));
  t.is(moved.finish_reason, 'length');
  t.is(full.finish_reason, 'length');
  for (const d of fullDeltas) {
    t.is(d.logprobs!.length, 1);
    t.is(d.logprobs![0]!.top!.length, 2);
  }
  // Text: the moved request's deltas continue exactly where the first one's stopped.
  t.is([...head, ...tail].map((d) => d.text).join(''), fullDeltas.map((d) => d.text).join(''));
  // Without a seed, the engine seed and request id pick the stream.
  const e1 = new RequestOutput({ request_id: 'a', params: parseSamplingParams({ max_tokens: 5 }), decoder: tok, eos_token_ids: [], prompt_token_ids: [], engine_seed: 1 });
  const e2 = new RequestOutput({ request_id: 'a', params: parseSamplingParams({ max_tokens: 5 }), decoder: tok, eos_token_ids: [], prompt_token_ids: [], engine_seed: 1 });
  t.deepEqual(rows.slice(0, 5).map((row) => e1.sample(row).token_ids[0]), rows.slice(0, 5).map((row) => e2.sample(row).token_ids[0]));
});
