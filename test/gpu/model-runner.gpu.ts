// The CUDA model runner on a real GPU (`npm run test:gpu`; skipped, saying why, without one):
// its logits against the CPU runner (f32 rounding apart) and bit for bit against its CPU
// mirror ('cuda-emulation'), and batch invariance on the device. The same checks without
// Node: scripts/gpu-check.sh.
import test from 'ava';
import { KvBlockPool, deviceInfo } from '../../backend/native/index.ts';
import { ModelRunner, type ForwardSequence, type RunnerBackend } from '../../backend/engine/runner/index.ts';
import { tinyModel, type TinyModel } from '../engine-native/tiny-model.ts';
import { maxAbsDiff, prefill, prompt, row, sameBits } from '../engine-native/harness.ts';

const info = deviceInfo();
const gpu = info.devices.length > 0 ? test : test.skip;
if (info.devices.length === 0) console.log(`GPU runner tests skipped: no CUDA device visible (${info.note || 'no reason given'})`);

const BLOCK = 16;

function runner(model: TinyModel, where: 'gpu' | RunnerBackend): { r: ModelRunner; free(): void } {
  const a = model.arch;
  const pool = new KvBlockPool({
    numLayers: a.num_hidden_layers, numBlocks: 64, blockSize: BLOCK, numKvHeads: a.num_key_value_heads, headDim: a.head_dim, dtype: 'f32',
    ...(where === 'gpu' ? { device: 0 } : {}),
  });
  const r = ModelRunner.create({ arch: a, tensors: (n) => model.tensors.get(n), kvPool: pool, ...(where === 'gpu' ? {} : { backend: where }) });
  return { r, free: () => (r.free(), pool.free()) };
}

function rel(a: Float32Array, b: Float32Array): number {
  let m = 1;
  for (const v of b) m = Math.max(m, Math.abs(v));
  return maxAbsDiff(a, b) / m;
}

for (const arch of ['llama', 'qwen2'] as const) {
  gpu(`${arch}: CUDA runner = its CPU mirror (bits) and = the CPU runner (1e-4), prefill and decodes`, async (t) => {
    const model = tinyModel({ arch, seed: 41, dtype: 'bf16', hidden: 128, heads: 4, intermediate: 196, vocab: 300 }); // K = 196: the kernel's scalar-load path
    const [cuda, emu, cpu] = [runner(model, 'gpu'), runner(model, 'cuda-emulation'), runner(model, 'cpu')];
    try {
      t.is(cuda.r.kernel, 'cuda');
      const toks = prompt(45, 2, 300);
      const table = [3, 9, 1, 30];
      const outs = await Promise.all([cuda, emu, cpu].map((x) => prefill(x.r, toks, table)));
      t.true(sameBits(outs[0]!, outs[1]!), 'prefill: cuda != emulation');
      t.true(rel(outs[0]!, outs[2]!) <= 1e-4, `prefill: cuda vs cpu ${rel(outs[0]!, outs[2]!)}`);
      let pos = toks.length;
      for (const next of [7, 299, 150]) {
        const step: ForwardSequence[] = [{ tokens: [next], startPos: pos++, blockTable: table, wantLogits: true }];
        const [c, e, p] = await Promise.all([cuda, emu, cpu].map((x) => x.r.forward(step)));
        t.true(sameBits(c!.logits, e!.logits), `decode at ${pos - 1}: cuda != emulation`);
        t.true(rel(c!.logits, p!.logits) <= 1e-4, `decode at ${pos - 1}: cuda vs cpu`);
      }
    } finally {
      [cuda, emu, cpu].forEach((x) => x.free());
    }
  });

  gpu(`${arch}: CUDA logits alone = in a mixed batch = after chunked prefill (bits)`, async (t) => {
    const model = tinyModel({ arch, seed: 42, dtype: 'f32' });
    const g = runner(model, 'gpu');
    try {
      const V = model.arch.vocab_size;
      const X = prompt(37, 5);
      const solo = await prefill(g.r, X, [0, 1, 2]);
      t.true(sameBits(await prefill(g.r, X, [10, 4, 20], 5), solo), 'chunked prefill differs');
      await g.r.forward([{ tokens: prompt(20, 9), startPos: 0, blockTable: [40, 41], wantLogits: false }]);
      const batch: ForwardSequence[] = [
        { tokens: [3], startPos: 20, blockTable: [40, 41], wantLogits: true },
        { tokens: X, startPos: 0, blockTable: [30, 31, 32], wantLogits: true },
        { tokens: prompt(9, 7), startPos: 0, blockTable: [50], wantLogits: true },
      ];
      const out = await g.r.forward(batch);
      t.true(sameBits(row(out.logits, 1, V), solo), 'batch of 3 differs from batch 1');
    } finally {
      g.free();
    }
  });
}
