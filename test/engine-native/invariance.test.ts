// Batch invariance, exactly: a sequence's logits are the same bits whatever shares its batch,
// however its prefill was chunked, where its KV blocks sit (or were copied to), how many
// threads ran, and which SIMD variant ran. Every test compares Float32Array bits.
import test from 'ava';
import { loadAddon } from '../../backend/native/index.ts';
import type { ForwardSequence } from '../../backend/engine/runner/index.ts';
import { argmax, blocksFor, prefill, prompt, row, sameBits, setup, type Setup } from './harness.ts';

const ARCHS = ['llama', 'qwen2'] as const;

/** Prefill then `steps` greedy decodes of one sequence alone; returns every step's logits. */
async function alone(s: Setup, toks: number[], table: number[], steps: number, chunk = toks.length): Promise<Float32Array[]> {
  const out = [await prefill(s.runner, toks, table, chunk)];
  const seq = [...toks];
  for (let i = 0; i < steps; i++) {
    seq.push(argmax(out.at(-1)!));
    const r = await s.runner.forward([{ tokens: [seq.at(-1)!], startPos: seq.length - 1, blockTable: table, wantLogits: true }]);
    out.push(r.logits);
  }
  return out;
}

for (const arch of ARCHS) {
  test(`${arch}: logits of a sequence alone equal its logits in a batch of 16 (prefill and decode, bit for bit)`, async (t) => {
    const s = setup({ arch, seed: 21, numBlocks: 256, dtype: 'bf16' });
    try {
      const V = s.model.arch.vocab_size;
      const X = prompt(11, 77);
      const xTable = [200, 201, 202, 203, 204];
      const solo = await alone(s, X, xTable, 4);

      // The same X again in fresh blocks, surrounded by 15 others of mixed lengths and phases.
      const others = Array.from({ length: 15 }, (_, i) => ({ toks: prompt(3 + ((i * 5) % 13), 100 + i), table: [i * 8, i * 8 + 1, i * 8 + 2, i * 8 + 3, i * 8 + 4, i * 8 + 5] }));
      const yTable = [210, 211, 212, 213, 214];
      // Half of the others prefill first, so the big step mixes decodes with prefills.
      await s.runner.forward(others.filter((_, i) => i % 2 === 0).map((o) => ({ tokens: o.toks, startPos: 0, blockTable: o.table, wantLogits: false })));
      const batch: ForwardSequence[] = others.map((o, i) => i % 2 === 0
        ? { tokens: [o.toks[0]!], startPos: o.toks.length, blockTable: o.table, wantLogits: true }
        : { tokens: o.toks, startPos: 0, blockTable: o.table, wantLogits: i % 3 !== 0 });
      batch.splice(7, 0, { tokens: X, startPos: 0, blockTable: yTable, wantLogits: true });
      t.is(batch.length, 16);
      const first = await s.runner.forward(batch);
      const at = first.rows.indexOf(7);
      t.true(sameBits(row(first.logits, at, V), solo[0]!), 'prefill logits differ between batch 1 and batch 16');

      // Decode steps of X inside growing batches (all 16 sequences decode together).
      const seq = [...X];
      const lens = batch.map((b) => b.startPos + b.tokens.length);
      for (let step = 1; step <= 4; step++) {
        seq.push(argmax(solo[step - 1]!));
        const dec: ForwardSequence[] = batch.map((b, i) => ({ tokens: [i === 7 ? seq.at(-1)! : 5 + i], startPos: lens[i]!, blockTable: b.blockTable, wantLogits: true }));
        lens.forEach((_, i) => (lens[i] = lens[i]! + 1));
        const r = await s.runner.forward(dec);
        t.true(sameBits(row(r.logits, 7, V), solo[step]!), `decode step ${step} differs between batch 1 and batch 16`);
      }
    } finally {
      s.dispose();
    }
  });

  test(`${arch}: chunked prefill (1, 3, 7 tokens per chunk) gives the same bits as one-shot prefill, and the same continuation`, async (t) => {
    const s = setup({ arch, seed: 22 });
    try {
      const toks = prompt(19, 4);
      const ref = await alone(s, toks, [1, 2, 3, 4, 5, 6], 3);
      for (const [k, chunk] of [1, 3, 7].entries()) {
        const table = [10 + k * 8, 11 + k * 8, 12 + k * 8, 13 + k * 8, 14 + k * 8, 15 + k * 8];
        const got = await alone(s, toks, table, 3, chunk);
        got.forEach((g, i) => t.true(sameBits(g, ref[i]!), `chunk ${chunk}, step ${i}`));
      }
    } finally {
      s.dispose();
    }
  });

  test(`${arch}: contiguous and scattered block tables give the same bits`, async (t) => {
    const s = setup({ arch, seed: 23 });
    try {
      const toks = prompt(21, 6);
      const a = await alone(s, toks, [0, 1, 2, 3, 4, 5, 6], 2);
      const b = await alone(s, toks, [90, 17, 63, 8, 120, 44, 71], 2);
      a.forEach((x, i) => t.true(sameBits(x, b[i]!), `step ${i}`));
    } finally {
      s.dispose();
    }
  });

  test(`${arch}: greedy continuation is identical after a KV gather -> scatter round trip into other blocks and another pool`, async (t) => {
    const s = setup({ arch, seed: 24, kvDtype: 'bf16' });
    const t2 = setup({ arch, seed: 24, kvDtype: 'bf16' }); // same weights, second instance
    try {
      const toks = prompt(14, 3);
      const src = [3, 9, 27, 81];
      const base = await alone(s, toks, [...src, 101], 6);
      // Fresh copy of the prefill state: recompute prefill in src, move it to dst blocks of t2.
      const s3 = setup({ arch, seed: 24, kvDtype: 'bf16' });
      try {
        await prefill(s3.runner, toks, src);
        const staging = await s3.pool.gather(src);
        const dst = [100, 5, 64, 31];
        await t2.pool.scatter(dst, staging);
        // The first decode token is the greedy choice after the prefill.
        const seq = [...toks, argmax(base[0]!)];
        for (let step = 1; step <= 6; step++) {
          const r = await t2.runner.forward([{ tokens: [seq.at(-1)!], startPos: seq.length - 1, blockTable: [...dst, 101], wantLogits: true }]);
          t.true(sameBits(r.logits, base[step]!), `step ${step} after migration`);
          seq.push(argmax(r.logits));
        }
      } finally {
        s3.dispose();
      }
    } finally {
      s.dispose();
      t2.dispose();
    }
  });
}

test('thread count and SIMD variant do not change a single bit', async (t) => {
  const f = loadAddon().cpuFeatures();
  const variants = (['scalar', 'avx2', 'avx512'] as const).filter((v) => v === 'scalar' || (v === 'avx2' ? f.avx2 && f.fma && f.f16c : f.avx512f));
  t.log(`variants on this CPU: ${variants.join(', ')}`);
  for (const arch of ARCHS) {
    // hidden 96 / intermediate 200: K not a multiple of 32 exercises the tails of every kernel.
    const opts = { arch, seed: 25, dtype: 'bf16' as const, hidden: 96, heads: 4, intermediate: 200 };
    const toks = prompt(10, 1);
    const table = Array.from({ length: blocksFor(13) }, (_, i) => i * 2);
    let first: Float32Array[] | undefined;
    for (const simd of variants) {
      for (const threads of [1, 2, 3]) {
        const s = setup({ ...opts, simd, threads });
        try {
          t.is(s.runner.kernel, simd);
          const got = await alone(s, toks, table, 2);
          if (!first) first = got;
          else got.forEach((g, i) => t.true(sameBits(g, first![i]!), `${arch} ${simd} threads=${threads} step ${i}`));
        } finally {
          s.dispose();
        }
      }
    }
  }
});
