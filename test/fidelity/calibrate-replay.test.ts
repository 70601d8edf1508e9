// Calibration in place: the step table from the steps a calibration replay ran.
import test from 'ava';
import { calibrateFromReplay, JITTER_ATOMS } from '../../fidelity/calibrate-replay.ts';
import type { Replay, ReplayStep } from '../../fidelity/real-run.ts';

function step(prefill_tokens: number, decode_seqs: number, decode_context_tokens: number, step_ms: number): ReplayStep {
  return {
    instance: 0, step: 0, prefill_seqs: prefill_tokens > 0 ? 1 : 0, prefill_tokens, decode_seqs, decode_context_tokens,
    context_tokens: prefill_tokens + decode_context_tokens, preempted: 0, forward_ms: step_ms * 0.9, step_ms, started_unix_ms: 0,
  };
}

const replay = (steps: ReplayStep[]): Replay => ({
  steps, makespan_s: 1, migrations: 0, preemptions: 0,
  requests: [0.002, 0.004].map((dispatch_s, index) => ({ index, sent_s: 0, ttft_s: 0.01, e2e_s: 0.02, tpot_s: 0.001, itl_s: [], output_tokens: 2, dispatch_s, delivery_s: dispatch_s / 2 })),
});

test('rows are bins of real steps with their MEAN time; mixed steps are left out; dispatch and delivery are the means', (t) => {
  // Three prefills of 100 tokens (1, 1, 7 ms: mean 3, median 1) and decodes of batch 2.
  const steps = [step(100, 0, 0, 1), step(100, 0, 0, 1), step(100, 0, 0, 7), ...Array.from({ length: 6 }, (_, i) => step(0, 2, 200, 2 + (i % 2))), step(50, 2, 200, 9)];
  const c = calibrateFromReplay(replay(steps));
  t.deepEqual(c.steps, { prefill: 3, decode: 6, mixed_ignored: 1, excluded: 0 });
  const prefill = c.rows.filter((r) => r.phase === 'prefill');
  t.is(prefill.length, 1);
  t.like(prefill[0], { tokens: 100, latency_ms: 3, samples: 3 });
  t.like(c.rows.find((r) => r.phase === 'decode'), { batch_size: 2, tokens: 200, latency_ms: 2.5, samples: 6 });
  t.deepEqual(c.frontend, { dispatch_ms: 3, delivery_ms: 1.5 });
  // The variance the means leave out: JITTER_ATOMS equally likely ratios per phase, mean exactly 1.
  for (const phase of ['prefill', 'decode'] as const) {
    const q = c.jitter_ratios[phase];
    t.is(q.length, JITTER_ATOMS);
    t.true(Math.abs(q.reduce((a, b) => a + b, 0) / q.length - 1) < 1e-12, phase);
    t.true(q.every((x, i) => i === 0 || x >= q[i - 1]!), `${phase} quantiles ascend`);
  }
  t.true(c.jitter_ratios.prefill[JITTER_ATOMS - 1]! > 2, 'the 7 ms prefill is in the tail');
});

test('a calibration without prefill-only or decode-only steps is refused with the counts', (t) => {
  t.throws(() => calibrateFromReplay(replay([step(100, 0, 0, 1)])), { message: /1 prefill-only and 0 decode-only steps/ });
});

test('a larger decode batch measured faster than a smaller one is pooled with it, so the table never slopes down along the batch axis', (t) => {
  // Batch 4 took 10 ms, batch 5 (luckier samples) 6 ms: left as measured, the table's
  // extension beyond batch 5 would fall 4 ms per sequence and price batch 8 below zero.
  const steps = [
    step(100, 0, 0, 1),
    ...Array.from({ length: 5 }, () => step(0, 4, 400, 10)),
    ...Array.from({ length: 5 }, () => step(0, 5, 500, 6)),
    ...Array.from({ length: 5 }, () => step(0, 6, 600, 12)),
  ];
  const decode = calibrateFromReplay(replay(steps)).rows.filter((r) => r.phase === 'decode');
  t.deepEqual(decode.map((r) => [r.batch_size, r.latency_ms]), [[4, 8], [5, 8], [6, 12]]);
  t.is(decode[1]!.samples, 5, 'the pooled row keeps its own sample count');
});

test('one slow batch size does not set the price of every larger one', (t) => {
  // Batch 1 ran a few slow steps (a cold process); batches 2 and 3 are many and fast. A floor at
  // the slowest row below priced both at 5 ms; the isotonic fit pools batch 1 with them instead.
  const steps = [
    step(100, 0, 0, 1),
    ...Array.from({ length: 5 }, () => step(0, 1, 100, 5)),
    ...Array.from({ length: 95 }, () => step(0, 2, 200, 1)),
    ...Array.from({ length: 100 }, () => step(0, 3, 300, 1.2)),
  ];
  const decode = calibrateFromReplay(replay(steps)).rows.filter((r) => r.phase === 'decode');
  const pooled = (5 * 5 + 95 * 1) / 100;
  t.deepEqual(decode.map((r) => [r.batch_size, Number(r.latency_ms.toFixed(9))]), [[1, pooled], [2, pooled], [3, 1.2]]);
});

test('steps that start while another instance is mid-step are fitted as a contention factor, and the table holds the price alone', (t) => {
  // Instance 0 steps alone every 10 ms (decode 2 ms, prefill 1 ms); instance 1 starts each of
  // its steps 1 ms into one of instance 0's, and takes 1.5× as long.
  const at = (instance: number, started_unix_ms: number, s: ReplayStep): ReplayStep => ({ ...s, instance, started_unix_ms });
  const steps: ReplayStep[] = [];
  for (let i = 0; i < 20; i++) {
    const prefillStep = i % 4 === 0;
    const base = prefillStep ? step(100, 0, 0, 1) : step(0, 2, 200, 2);
    steps.push(at(0, i * 10, base));
    steps.push(at(1, i * 10 + 0.5, { ...base, step_ms: base.step_ms * 1.5 }));
  }
  const c = calibrateFromReplay(replay(steps));
  t.is(c.contention.step_factors.length, 2);
  t.deepEqual(c.contention.steps_per_level, [20, 20]);
  t.true(Math.abs(c.contention.step_factors[0]! - 1) < 1e-9);
  t.true(Math.abs(c.contention.step_factors[1]! - 1.5) < 1e-6, `factor at level 1: ${c.contention.step_factors[1]}`);
  t.true(Math.abs(c.rows.find((r) => r.phase === 'decode')!.latency_ms - 2) < 1e-6, 'the decode row is the alone price');
  t.true(Math.abs(c.rows.find((r) => r.phase === 'prefill')!.latency_ms - 1) < 1e-6, 'the prefill row is the alone price');
  // With the contention taken out, no step differs from its bin's mean: the jitter is flat.
  for (const q of [c.jitter_ratios.prefill, c.jitter_ratios.decode]) t.true(q.every((x) => Math.abs(x - 1) < 1e-6));
});

test('steps of one instance alone give the factor 1 and the plain mean per bin', (t) => {
  const c = calibrateFromReplay(replay([step(100, 0, 0, 1), ...Array.from({ length: 6 }, () => step(0, 2, 200, 3))]));
  t.deepEqual(c.contention, { step_factors: [1], steps_per_level: [7] });
});

test('excluded steps (during forced migrations) leave the table and the jitter, and are counted', (t) => {
  const steps = [step(100, 0, 0, 1), step(100, 0, 0, 1), step(100, 0, 0, 1), ...Array.from({ length: 6 }, () => step(0, 2, 200, 2))];
  // Two slow decode steps that ran during a migration's copy.
  const slow = [step(0, 2, 200, 20), step(0, 2, 200, 20)];
  const all = calibrateFromReplay(replay([...steps, ...slow]));
  const kept = calibrateFromReplay(replay([...steps, ...slow]), { exclude: (s) => slow.includes(s) });
  t.like(all.rows.find((r) => r.phase === 'decode'), { latency_ms: 6.5, samples: 8 });
  t.like(kept.rows.find((r) => r.phase === 'decode'), { latency_ms: 2, samples: 6 });
  t.deepEqual(kept.steps, { prefill: 3, decode: 6, mixed_ignored: 0, excluded: 2 });
  t.true(all.jitter_ratios.decode[JITTER_ATOMS - 1]! > 3, 'the slow steps are the tail when kept');
  t.is(kept.jitter_ratios.decode[JITTER_ATOMS - 1], 1, 'and gone when excluded');
});

test('jitter atoms are mid-quantiles: one outlier in thousands of steps keeps its own small mass, not 1 % of the draws', (t) => {
  // 2,000 decode steps of 2 ms and one of 70 ms (35× the mean), as a GC pause or a burst.
  const steps = [step(100, 0, 0, 1), step(100, 0, 0, 1), step(100, 0, 0, 1), ...Array.from({ length: 2000 }, () => step(0, 1, 100, 2)), step(0, 1, 100, 70)];
  const q = calibrateFromReplay(replay(steps)).jitter_ratios.decode;
  // The top 1 % of atoms (10 of 1,000) is not the outlier: it has 1/2001 of the mass.
  const top = q.slice(-10);
  t.true(top.every((x) => x < 1.1), `top atoms ${top.join(', ')}`);
  // So the bulk is not rescaled to pay for it: a 2 ms step stays at its mean's ratio, ≈ 1.
  t.true(Math.abs(q[500]! - 1) < 0.05, `median atom ${q[500]}`);
});
