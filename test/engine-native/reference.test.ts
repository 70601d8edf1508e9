// The native runner against the float64 reference forward on tiny random models of both
// architectures. Tolerance: max |native - reference| <= 1e-5 * max(1, max |reference logit|)
// for f32 KV (observed ~2.5e-7 relative: f32 rounding through 2 layers); 2e-2 relative with a
// bf16 KV pool (K/V rounded to 8 mantissa bits on write), 3e-3 with f16 (11 bits).
import test from 'ava';
import { referenceLogits } from './reference-forward.ts';
import { blocksFor, maxAbsDiff, prefill, prompt, row, setup } from './harness.ts';

const ARCHS = ['llama', 'qwen2'] as const;

function close(actual: ArrayLike<number>, ref: ArrayLike<number>, rel = 1e-5): { ok: boolean; diff: number; bound: number } {
  let m = 1;
  for (let i = 0; i < ref.length; i++) m = Math.max(m, Math.abs(ref[i]!));
  const diff = maxAbsDiff(actual, ref);
  return { ok: diff <= rel * m, diff, bound: rel * m };
}

for (const arch of ARCHS) {
  for (const dtype of ['f32', 'bf16', 'f16'] as const) {
    test(`${arch} ${dtype}: prefill into scattered blocks, then decode, match the reference`, async (t) => {
      const s = setup({ arch, seed: 11, dtype });
      try {
        const toks = prompt(13, 5);
        const table = [97, 3, 60, 12, 41, 8]; // non-contiguous, out of order
        const out = await prefill(s.runner, toks, table);
        const seq = [...toks];
        let c = close(out, referenceLogits(s.model.arch, s.model.values, seq).at(-1)!);
        t.true(c.ok, `prefill diff ${c.diff} > ${c.bound}`);
        for (const next of [17, 200, 3, 99, 45, 8, 150]) {
          const r = await s.runner.forward([{ tokens: [next], startPos: seq.length, blockTable: table, wantLogits: true }]);
          seq.push(next);
          c = close(r.logits, referenceLogits(s.model.arch, s.model.values, seq).at(-1)!);
          t.true(c.ok, `decode at ${seq.length - 1}: diff ${c.diff} > ${c.bound}`);
        }
      } finally {
        s.dispose();
      }
    });
  }

  test(`${arch}: chunked prefill (chunks of 5, crossing block edges) matches the reference`, async (t) => {
    const s = setup({ arch, seed: 12 });
    try {
      const toks = prompt(22, 9);
      const out = await prefill(s.runner, toks, [5, 6, 1, 2, 30, 31], 5);
      const c = close(out, referenceLogits(s.model.arch, s.model.values, toks).at(-1)!);
      t.true(c.ok, `diff ${c.diff} > ${c.bound}`);
    } finally {
      s.dispose();
    }
  });

  test(`${arch}: one mixed step (two prefills, a prefill chunk, two decodes, one without logits) matches the reference`, async (t) => {
    const s = setup({ arch, seed: 13 });
    try {
      const A = prompt(9, 1), B = prompt(6, 2), C = prompt(15, 3), D = prompt(4, 4), E = prompt(3, 6);
      const tab = { A: [0, 1, 2], B: [10, 11], C: [20, 21, 22, 23], D: [30, 31], E: [40] };
      // Earlier steps: C's first 8 tokens, D's first 3, E's first 2.
      await s.runner.forward([
        { tokens: C.slice(0, 8), startPos: 0, blockTable: tab.C, wantLogits: false },
        { tokens: D.slice(0, 3), startPos: 0, blockTable: tab.D, wantLogits: false },
        { tokens: E.slice(0, 2), startPos: 0, blockTable: tab.E, wantLogits: false },
      ]);
      const out = await s.runner.forward([
        { tokens: A, startPos: 0, blockTable: tab.A, wantLogits: true },
        { tokens: D.slice(3), startPos: 3, blockTable: tab.D, wantLogits: true },
        { tokens: C.slice(8), startPos: 8, blockTable: tab.C, wantLogits: true },
        { tokens: E.slice(2), startPos: 2, blockTable: tab.E, wantLogits: false },
        { tokens: B, startPos: 0, blockTable: tab.B, wantLogits: true },
      ]);
      t.deepEqual(out.rows, [0, 1, 2, 4]);
      const V = s.model.arch.vocab_size;
      for (const [i, seq] of [A, D, C, B].entries()) {
        const c = close(row(out.logits, i, V), referenceLogits(s.model.arch, s.model.values, seq).at(-1)!);
        t.true(c.ok, `row ${i}: diff ${c.diff} > ${c.bound}`);
      }
    } finally {
      s.dispose();
    }
  });

  for (const [kvDtype, rel] of [['bf16', 2e-2], ['f16', 3e-3]] as const) {
    test(`${arch}: ${kvDtype} KV pool stays within ${rel} relative of the reference`, async (t) => {
      const s = setup({ arch, seed: 14, kvDtype });
      try {
        const toks = prompt(17, 8);
        const out = await prefill(s.runner, toks, Array.from({ length: blocksFor(17) }, (_, i) => 50 + i), 6);
        const c = close(out, referenceLogits(s.model.arch, s.model.values, toks).at(-1)!, rel);
        t.true(c.ok, `diff ${c.diff} > ${c.bound}`);
        t.true(c.diff > 1e-5 * c.bound / rel, `${kvDtype} KV rounding is visible (the pool really is ${kvDtype})`);
      } finally {
        s.dispose();
      }
    });
  }
}

test('llama3 rope scaling matters: a model without it gives different logits', async (t) => {
  const s = setup({ arch: 'llama', seed: 15 });
  try {
    const toks = prompt(40, 2);
    const out = await prefill(s.runner, toks, Array.from({ length: blocksFor(40) }, (_, i) => i));
    const plain = { ...s.model.arch, rope_scaling: { kind: 'none' as const } };
    const refScaled = referenceLogits(s.model.arch, s.model.values, toks).at(-1)!;
    const refPlain = referenceLogits(plain, s.model.values, toks).at(-1)!;
    t.true(close(out, refScaled).ok);
    t.false(close(out, refPlain).ok, 'scaled and unscaled RoPE must be distinguishable at position 39');
  } finally {
    s.dispose();
  }
});
