// Slow steps come in spells: the fit of the jitter's memory, and the simulator's draws with it.
import test from 'ava';
import seedrandom from 'seedrandom';
import { autocorrelation, fitJitterMemory, normalScores } from '../../fidelity/jitter-memory.ts';
import { withStepJitter } from '../../sim/perf/step-jitter.ts';
import type { PerfModel } from '../../sim/perf/index.ts';

/** share × AR(1) state with per_step + the rest white noise, as the model says (Box–Muller draws). */
function spells(n: number, share: number, per_step: number, seed: string): number[] {
  const rng = seedrandom(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  let state = normal();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    state = per_step * state + Math.sqrt(1 - per_step ** 2) * normal();
    out.push(Math.sqrt(share) * state + Math.sqrt(1 - share) * normal());
  }
  return out;
}

test('the fit recovers the share and the per-step persistence of a sequence made by the model', (t) => {
  const m = fitJitterMemory(spells(40_000, 0.45, 0.92, 'a'));
  t.true(Math.abs(m.share - 0.45) < 0.05, `share ${m.share}`);
  t.true(Math.abs(m.per_step - 0.92) < 0.02, `per_step ${m.per_step}`);
});

test('independent draws have no memory', (t) => {
  const m = fitJitterMemory(spells(20_000, 0, 0, 'b'));
  t.true(m.share < 0.05, `share ${m.share}`);
});

test('normal scores keep the order and have mean 0', (t) => {
  const z = normalScores([5, 1, 3, 2, 4]);
  t.deepEqual([...z.keys()].sort((a, b) => z[a]! - z[b]!), [1, 3, 2, 4, 0]);
  t.true(Math.abs(z.reduce((a, b) => a + b, 0)) < 1e-12);
});

const oneMs: PerfModel = { name: 'one', step_ms: () => 1, prefill_ms: () => 1, decode_ms: () => 1 };
const decodeStep = { prefills: [], decodes: [{ context_tokens: 10 }] };
/** 101 quantiles of a ratio distribution with mean 1 (a skewed one, as a shared machine's). */
const pool = Array.from({ length: 101 }, (_, i) => 0.6 + 0.8 * (i / 100) ** 3);
const mean = pool.reduce((a, b) => a + b, 0) / pool.length;
const ratios = { prefill: pool.map((x) => x / mean), decode: pool.map((x) => x / mean) };

test('with memory, the simulator\'s draws keep their distribution and come in spells', (t) => {
  const draw = (memory?: { share: number; per_step: number }): number[] => {
    const model = withStepJitter(oneMs, ratios, seedrandom('c'), memory);
    return Array.from({ length: 30_000 }, () => model.step_ms(decodeStep));
  };
  const independent = draw();
  const remembered = draw({ share: 0.5, per_step: 0.9 });
  const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  t.true(Math.abs(avg(remembered) - 1) < 0.02, `mean ${avg(remembered)}`);
  t.true(Math.abs(autocorrelation(independent, 1)) < 0.03);
  // Lag 1 in normal scores is 0.45; through the skewed quantiles a little less.
  t.true(autocorrelation(remembered, 1) > 0.3, `lag 1 ${autocorrelation(remembered, 1)}`);
  t.true(autocorrelation(remembered, 10) > 0.1, `lag 10 ${autocorrelation(remembered, 10)}`);
  // The same seed and memory give the same draws.
  t.deepEqual(draw({ share: 0.5, per_step: 0.9 }).slice(0, 50), remembered.slice(0, 50));
});
