import test from 'ava';
import seedrandom from 'seedrandom';
import { parseSamplingParams } from '../../backend/engine/sampling-params.ts';
import { sampleToken, SamplingError } from '../../backend/engine/sampling.ts';
import { SamplingRng, samplingSeed } from '../../backend/engine/sampling-rng.ts';
import { logSumExp, tokenLogprob, topIds } from '../../backend/engine/sampling-logprobs.ts';

const row = (...v: number[]) => Float32Array.from(v);
const logits = (probs: number[]) => Float32Array.from(probs, Math.log);
const rng = (seed = 's') => SamplingRng.fromSeed(seed);

function randomRow(n: number, seed: string, scale = 3): Float32Array {
  const r = seedrandom(seed);
  return Float32Array.from({ length: n }, () => (r() - 0.5) * 2 * scale);
}

/** The ids drawn from `row` over `n` draws, with counts. */
function draw(r: Float32Array, opts: Record<string, unknown>, n: number, seed = 'draws'): Map<number, number> {
  const p = parseSamplingParams(opts);
  const g = rng(seed);
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const id = sampleToken(r, p, g).token_id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

test('greedy: argmax, ties to the lowest id, no draw from the stream', (t) => {
  const greedy = parseSamplingParams({ temperature: 0 });
  const g = rng();
  const before = g.state();
  t.is(sampleToken(row(1, 5, 3, 5, 5), greedy, g).token_id, 1);
  t.is(sampleToken(row(-Infinity, -2, -Infinity), greedy, g).token_id, 1);
  t.is(sampleToken(row(7), greedy, g).token_id, 0);
  t.deepEqual(g.state(), before);
  t.is(sampleToken(row(0, 1, 2), parseSamplingParams({ temperature: 1e-6 }), g).token_id, 2, 'below 1e-5 is greedy');
});

test('NaN, +Inf and all -Inf rows are errors, not tokens', (t) => {
  const p = parseSamplingParams({});
  t.throws(() => sampleToken(row(0, NaN, 1), p, rng()), { instanceOf: SamplingError, message: /logits\[1\] = NaN/ });
  t.throws(() => sampleToken(row(0, Infinity), p, rng()), { instanceOf: SamplingError, message: /logits\[1\] = Infinity/ });
  t.throws(() => sampleToken(row(-Infinity, -Infinity), p, rng()), { instanceOf: SamplingError, message: /every one of 2 logits is -Infinity/ });
  t.throws(() => sampleToken(row(), p, rng()), { instanceOf: SamplingError });
});

test('temperature 1 draws follow softmax; temperature 0.5 squares the odds', (t) => {
  const probs = [0.1, 0.2, 0.3, 0.4];
  const n = 20000;
  const c1 = draw(logits(probs), {}, n);
  probs.forEach((p, id) => t.true(Math.abs((c1.get(id) ?? 0) / n - p) < 0.015, `T=1 id ${id}: ${(c1.get(id) ?? 0) / n} vs ${p}`));
  const sq = probs.map((p) => p * p);
  const z = sq.reduce((a, b) => a + b, 0);
  const c2 = draw(logits(probs), { temperature: 0.5 }, n);
  sq.forEach((p, id) => t.true(Math.abs((c2.get(id) ?? 0) / n - p / z) < 0.015, `T=0.5 id ${id}`));
  t.is(draw(row(0, -Infinity, 0), {}, 2000).get(1), undefined, 'a -Infinity logit is never drawn');
});

test('top-k keeps exactly the k best (ties to the lower id)', (t) => {
  const r = row(1, 4, 4, 3, 4, 0.5);
  t.deepEqual([...draw(r, { top_k: 2 }, 3000).keys()].sort(), [1, 2]);
  t.deepEqual([...draw(r, { top_k: 4 }, 3000).keys()].sort(), [1, 2, 3, 4]);
  t.is(draw(r, { top_k: 1, temperature: 5 }, 200).size, 1);
  t.is(draw(r, { top_k: 100 }, 4000).size, 6, 'k beyond the vocabulary is off');
});

test('top-p keeps the smallest prefix holding p of the mass', (t) => {
  const r = logits([0.5, 0.3, 0.15, 0.05]);
  t.deepEqual([...draw(r, { top_p: 0.45 }, 2000).keys()].sort(), [0]);
  t.deepEqual([...draw(r, { top_p: 0.75 }, 2000).keys()].sort(), [0, 1]);
  t.deepEqual([...draw(r, { top_p: 0.85 }, 4000).keys()].sort(), [0, 1, 2]);
  t.is(draw(r, { top_p: 1 }, 4000).size, 4);
  // Within the nucleus, draws are renormalised: 0.5 : 0.3.
  const c = draw(r, { top_p: 0.75 }, 20000);
  t.true(Math.abs(c.get(0)! / 20000 - 0.625) < 0.015);
  // top-k then top-p, as vLLM applies them.
  t.deepEqual([...draw(r, { top_k: 3, top_p: 0.99 }, 4000).keys()].sort(), [0, 1, 2]);
});

test('top-p over a large vocabulary: the support equals a brute-force nucleus', (t) => {
  for (const [seed, topP, temperature] of [['a', 0.9, 1], ['b', 0.5, 0.7], ['c', 0.99, 1.3]] as const) {
    const r = randomRow(5000, seed, 4);
    const w = Array.from(r, (x) => Math.exp(x / temperature));
    const total = w.reduce((a, b) => a + b, 0);
    const order = [...w.keys()].sort((a, b) => w[b]! - w[a]! || a - b);
    const nucleus = new Set<number>();
    let cum = 0;
    for (const id of order) {
      if (cum >= topP * total) break;
      nucleus.add(id);
      cum += w[id]!;
    }
    const seen = draw(r, { top_p: topP, temperature }, 3000, seed);
    for (const id of seen.keys()) t.true(nucleus.has(id), `${seed}: drew ${id} outside the nucleus of ${nucleus.size}`);
    t.true(seen.size > Math.min(nucleus.size, 3000) * 0.3, `${seed}: ${seen.size} distinct of ${nucleus.size}`);
  }
});

test('seeded streams: same seed → same tokens; another seed → others; state save/restore continues identically', (t) => {
  const r = randomRow(200, 'row', 1);
  const p = parseSamplingParams({ temperature: 0.9, top_p: 0.95, top_k: 50 });
  const run = (g: SamplingRng, n: number) => Array.from({ length: n }, () => sampleToken(r, p, g).token_id);
  t.deepEqual(run(rng('x'), 50), run(rng('x'), 50));
  t.notDeepEqual(run(rng('x'), 50), run(rng('y'), 50));

  const a = rng(samplingSeed(7, 0, 'req-1'));
  run(a, 13);
  const saved = JSON.parse(JSON.stringify(a.state())) as ReturnType<SamplingRng['state']>;
  const b = SamplingRng.fromState(saved);
  t.deepEqual(run(b, 40), run(a, 40));
  t.throws(() => SamplingRng.fromState({ ...saved, s1: Number.NaN }), { message: /state\.s1 must be a finite number/ });
  t.is(samplingSeed(undefined, 3, 'r'), 'engine-seed:3:r');
  t.not(samplingSeed(undefined, 3, 'r'), samplingSeed(undefined, 4, 'r'));
});

test('logprobs: a normalised log-softmax, stable for huge logits, chosen + top N sorted with ties to the lower id', (t) => {
  const r = row(1e4, 1e4 - 1, 1e4 - 1, -1e4, -Infinity);
  const lse = logSumExp(r);
  t.true(Number.isFinite(lse));
  const lp = tokenLogprob(r, 2, 3);
  t.is(lp.token_id, 2);
  t.true(Math.abs(lp.logprob - (-1 - Math.log(1 + 2 * Math.exp(-1)))) < 1e-9);
  t.deepEqual(lp.top!.map((x) => x.token_id), [0, 1, 2]);
  let mass = 0;
  for (let i = 0; i < r.length; i++) mass += Math.exp(r[i]! - lse);
  t.true(Math.abs(mass - 1) < 1e-12);
  t.is(tokenLogprob(r, 4, 0).logprob, -Infinity);
  t.is(tokenLogprob(r, 0, 0).top, undefined);

  const big = randomRow(3000, 'lp', 5);
  const s = sampleToken(big, parseSamplingParams({ logprobs: 5, temperature: 0.8 }), rng());
  const all = Array.from(big, (x) => x - logSumExp(big));
  t.true(Math.abs(s.logprob!.logprob - all[s.token_id]!) < 1e-9, 'raw log-softmax of the chosen token');
  t.true(Math.abs(all.reduce((a, x) => a + Math.exp(x), 0) - 1) < 1e-9);
  const best = [...all.keys()].sort((a, b) => all[b]! - all[a]! || a - b).slice(0, 5);
  t.deepEqual(s.logprob!.top!.map((x) => x.token_id), best);
  t.is(sampleToken(big, parseSamplingParams({}), rng()).logprob, undefined);
});

test('topIds equals a full sort on rows with many ties', (t) => {
  for (let k = 0; k < 20; k++) {
    const r = Float32Array.from(randomRow(300, `t${k}`, 1), (x) => Math.round(x * 4));
    const n = 1 + (k * 7) % 40;
    const want = [...r.keys()].sort((a, b) => r[b]! - r[a]! || a - b).slice(0, n);
    t.deepEqual(topIds(r, n), want);
  }
});
