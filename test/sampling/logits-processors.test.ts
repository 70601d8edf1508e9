// The logits processors (min_tokens, logit_bias, repetition / frequency / presence penalties)
// on hand-made rows, min_p in sampling, and what they do to a request's output: each rule
// checked against the value computed by hand, and a restored request processing its rows
// exactly as the one it was snapshotted from.
import test from 'ava';
import { LogitsProcessors } from '../../backend/engine/logits-processors.ts';
import { parseSamplingParams } from '../../backend/engine/sampling-params.ts';
import { sampleToken } from '../../backend/engine/sampling.ts';
import { SamplingRng } from '../../backend/engine/sampling-rng.ts';
import { RequestOutput } from '../../backend/engine/sampling-output.ts';
import { buildTinyTokenizer, HfTokenizer, parseTokenizerConfig } from '../../backend/model/index.ts';

const row = (...v: number[]): Float32Array => Float32Array.from(v);
const params = (o: Record<string, unknown>) => parseSamplingParams({ max_tokens: 50, ...o });

test('min_tokens: EOS and stop token ids are -Infinity until that many tokens are out, then back', (t) => {
  const p = new LogitsProcessors(params({ min_tokens: 2, stop_token_ids: [3] }), [], [4]);
  const raw = row(1, 2, 3, 4, 5);
  t.deepEqual([...p.apply(raw)], [1, 2, 3, -Infinity, -Infinity]);
  p.note(0);
  t.deepEqual([...p.apply(raw)], [1, 2, 3, -Infinity, -Infinity], 'one token out, min_tokens 2');
  p.note(0);
  t.deepEqual([...p.apply(raw)], [1, 2, 3, 4, 5]);
  t.deepEqual([...raw], [1, 2, 3, 4, 5], 'the raw row is not written');
  // ignore_eos: EOS is not a stopper, so min_tokens leaves it alone.
  const q = new LogitsProcessors(params({ min_tokens: 1, ignore_eos: true }), [], [4]);
  t.deepEqual([...q.apply(raw)], [1, 2, 3, 4, 5]);
});

test('repetition penalty: prompt and output tokens, positive logits divided, negative multiplied, others untouched', (t) => {
  const p = new LogitsProcessors(params({ repetition_penalty: 2 }), [0, 1], []);
  p.note(3);
  t.deepEqual([...p.apply(row(4, -1, 6, -3, 8))], [2, -2, 6, -6, 8]);
  p.note(3);
  t.deepEqual([...p.apply(row(4, -1, 6, -3, 8))], [2, -2, 6, -6, 8], 'once per token, however often it appears');
});

test('frequency and presence penalties: output tokens only, by count and once', (t) => {
  const p = new LogitsProcessors(params({ frequency_penalty: 0.5, presence_penalty: 1 }), [0], []);
  p.note(2);
  p.note(2);
  p.note(4);
  t.deepEqual([...p.apply(row(1, 1, 1, 1, 1))], [1, 1, 1 - 1 - 1, 1, 1 - 0.5 - 1]);
});

test('logit_bias adds before the penalties (vLLM order), and min_tokens wins over a bias', (t) => {
  const p = new LogitsProcessors(params({ logit_bias: { 1: 2, 4: 100 }, repetition_penalty: 2, min_tokens: 1 }), [1], [4]);
  // Token 1: (3 + 2) / 2; token 4 is EOS, held at -Infinity while no token is out.
  t.deepEqual([...p.apply(row(0, 3, 0, 0, 0))], [0, 2.5, 0, 0, -Infinity]);
  p.note(0);
  t.deepEqual([...p.apply(row(0, 3, 0, 0, 0))], [0, 2.5, 0, 0, 100]);
});

test('LogitsProcessors.active: neutral values leave the raw row to be sampled', (t) => {
  t.false(LogitsProcessors.active(params({ presence_penalty: 0, frequency_penalty: 0, repetition_penalty: 1, min_tokens: 0, logit_bias: { 3: 0 }, min_p: 0.5 })));
  for (const o of [{ presence_penalty: -0.1 }, { frequency_penalty: 2 }, { repetition_penalty: 1.1 }, { min_tokens: 1 }, { logit_bias: { 3: -1 } }]) {
    t.true(LogitsProcessors.active(params(o)), JSON.stringify(o));
  }
});

test('min_p: a token below min_p of the best one\'s probability is never drawn; at or above it, it is', (t) => {
  // Weights after temperature 1: 1, e^-1 ≈ 0.368, e^-3 ≈ 0.0498.
  const logits = row(3, 2, 0);
  const draw = (min_p: number, top_p = 1): Set<number> => {
    const p = params({ temperature: 1, min_p, top_p, seed: 1 });
    const rng = SamplingRng.fromSeed('min-p');
    return new Set(Array.from({ length: 400 }, () => sampleToken(logits, p, rng).token_id));
  };
  t.deepEqual([...draw(0)].sort(), [0, 1, 2]);
  t.deepEqual([...draw(0.1)].sort(), [0, 1], 'e^-3 < 0.1: token 2 out');
  t.deepEqual([...draw(0.4)].sort(), [0], 'e^-1 < 0.4: only the best');
  t.deepEqual([...draw(0.1, 0.99)].sort(), [0, 1], 'with top-p too');
  const k = params({ temperature: 1, min_p: 0.1, top_k: 3, seed: 1 });
  const rng = SamplingRng.fromSeed('min-p');
  t.false(Array.from({ length: 400 }, () => sampleToken(logits, k, rng).token_id).includes(2), 'with top-k too');
});

test('parameters out of range are refused with the field, the value and the range', (t) => {
  t.throws(() => params({ presence_penalty: 2.5 }), { message: /presence_penalty/ });
  t.throws(() => params({ frequency_penalty: -3 }), { message: /frequency_penalty/ });
  t.throws(() => params({ repetition_penalty: 0 }), { message: /repetition_penalty/ });
  t.throws(() => params({ min_p: 1.5 }), { message: /min_p/ });
  t.throws(() => params({ min_tokens: 51 }), { message: /min_tokens.*at most max_tokens \(50\)/ });
  t.throws(() => params({ logit_bias: { abc: 1 } }), { message: /logit_bias/ });
  t.throws(() => params({ logit_bias: { 5: 101 } }), { message: /logit_bias/ });
  t.deepEqual(params({ logit_bias: { 10: 1, 2: -1, 7: 0 } }).logit_bias, [[2, -1], [10, 1]], 'ids ascending, zero biases dropped');
});

const files = buildTinyTokenizer(1024, 2048);
const tok = new HfTokenizer(files.tokenizer, parseTokenizerConfig(files.config));
const IM_END = files.special_ids['<|im_end|>'] as number;

test('a request\'s output: stop tokens and stop strings do not end it before min_tokens; logprobs are the raw row\'s', (t) => {
  const ids = tok.encode('ab ab ab', { add_special_tokens: false });
  const out = new RequestOutput({
    request_id: 'r', params: params({ min_tokens: ids.length, stop: ['ab'], logprobs: 0 }), decoder: tok, eos_token_ids: [IM_END], prompt_token_ids: [],
  });
  let text = '';
  for (const id of ids) text += out.append(id).text;
  t.false(out.finished, 'neither the stop string in the text nor min_tokens reached');
  t.is(text, 'ab ab ab');
  const eos = out.append(IM_END);
  t.is(eos.finish_reason, 'stop', 'past min_tokens, EOS stops');
  // The chosen token comes from the processed row; its logprob from the raw one.
  const biased = new RequestOutput({
    request_id: 'b', params: params({ temperature: 0, logit_bias: { 5: 100 }, logprobs: 0 }), decoder: tok, eos_token_ids: [IM_END], prompt_token_ids: [],
  });
  const raw = new Float32Array(2048);
  raw[9] = 1;
  const d = biased.sample(raw);
  t.deepEqual(d.token_ids, [5]);
  const lse = Math.log(2047 + Math.E);
  t.true(Math.abs((d.logprobs?.[0]?.logprob ?? 0) - (0 - lse)) < 1e-9, 'token 5\'s raw logprob');
});

test('a restored request processes its rows exactly as the one it was snapshotted from (migration loses nothing)', (t) => {
  const p = params({ temperature: 0.8, top_p: 0.95, seed: 7, presence_penalty: 0.7, frequency_penalty: 0.3, repetition_penalty: 1.3, min_tokens: 3, min_p: 0.02, logit_bias: { 11: 1.5 }, max_tokens: 40, ignore_eos: true });
  const prompt = [1, 2, 3, 11, 12];
  const rows = Array.from({ length: 40 }, (_, i) => Float32Array.from({ length: 2048 }, (_, j) => Math.sin(i * 31 + j * 7) * 3 + (j % 13 === 0 ? 2 : 0)));
  const make = (snapshot?: ReturnType<RequestOutput['snapshot']>) => new RequestOutput({
    request_id: 'm', params: p, decoder: tok, eos_token_ids: [IM_END], prompt_token_ids: prompt,
    ...(snapshot === undefined ? {} : { rng_state: snapshot.rng_state, output_token_ids: snapshot.output_token_ids, held_tokens: snapshot.held_tokens, held_text: snapshot.held_text }),
  });
  const whole = make();
  for (const r of rows) if (!whole.finished) whole.sample(r);
  const first = make();
  for (const r of rows.slice(0, 17)) first.sample(r);
  const moved = make(first.snapshot());
  for (const r of rows.slice(17)) if (!moved.finished) moved.sample(r);
  t.deepEqual(moved.output_token_ids, whole.output_token_ids);
  // And the penalties did something: without them the same rows and stream give other tokens.
  const plain = new RequestOutput({ request_id: 'm', params: params({ temperature: 0.8, top_p: 0.95, seed: 7, max_tokens: 40, ignore_eos: true }), decoder: tok, eos_token_ids: [IM_END], prompt_token_ids: prompt });
  for (const r of rows) if (!plain.finished) plain.sample(r);
  t.notDeepEqual(plain.output_token_ids, whole.output_token_ids);
});
