// The CUDA model runner's step logic and kernel arithmetic, run on the CPU: backend
// 'cuda-emulation' drives cuda/cuda_model_runner.cpp with host_kernel_ops.cpp, the lane-exact
// mirror of the CUDA kernels (the same bits as the GPU, which this machine cannot check).
// Checked here: logits match the float64 reference (tolerance 1e-5 relative with f32 KV, as
// the CPU runner), batch invariance bit for bit (batch of 1 vs a mixed batch; one-shot vs
// chunked prefill; contexts past the attention kernel's 32-position chunks), and the argument
// checks that choose between the CPU and the CUDA runner.
import test from 'ava';
import { runnerKind } from '../../backend/engine/runner/validate.ts';
import type { ForwardSequence } from '../../backend/engine/runner/index.ts';
import { referenceLogits } from './reference-forward.ts';
import { blocksFor, maxAbsDiff, prefill, prompt, row, sameBits, setup, type Setup } from './harness.ts';

const ARCHS = ['llama', 'qwen2'] as const;

function relDiff(actual: ArrayLike<number>, ref: ArrayLike<number>): number {
  let m = 1;
  for (let i = 0; i < ref.length; i++) m = Math.max(m, Math.abs(ref[i]!));
  return maxAbsDiff(actual, ref) / m;
}

function table(first: number, len: number): number[] {
  return Array.from({ length: blocksFor(len) }, (_, i) => first + ((i * 7) % 64));
}

for (const arch of ARCHS) {
  for (const dtype of ['f32', 'bf16'] as const) {
    test(`${arch} ${dtype} weights: emulated CUDA prefill (40 tokens, two attention chunks) and decodes match the reference`, async (t) => {
      const s = setup({ arch, seed: 31, dtype, backend: 'cuda-emulation', numBlocks: 128 });
      try {
        t.is(s.runner.kernel, 'cuda-emulation');
        const toks = prompt(40, 3);
        const tab = table(5, 48);
        const seq = [...toks];
        const first = await prefill(s.runner, toks, tab);
        t.true(relDiff(first, referenceLogits(s.model.arch, s.model.values, seq).at(-1)!) <= 1e-5, 'prefill');
        for (const next of [9, 250, 31]) {
          const r = await s.runner.forward([{ tokens: [next], startPos: seq.length, blockTable: tab, wantLogits: true }]);
          seq.push(next);
          const d = relDiff(r.logits, referenceLogits(s.model.arch, s.model.values, seq).at(-1)!);
          t.true(d <= 1e-5, `decode at ${seq.length - 1}: relative diff ${d}`);
        }
      } finally {
        s.dispose();
      }
    });
  }

  test(`${arch}: emulated CUDA logits are bit-identical alone, in a mixed batch, and after chunked prefill`, async (t) => {
    const s = setup({ arch, seed: 32, dtype: 'bf16', kvDtype: 'bf16', backend: 'cuda-emulation', numBlocks: 320 });
    try {
      const V = s.model.arch.vocab_size;
      const X = prompt(37, 11);
      const solo = await prefill(s.runner, X, table(0, 40));
      const chunked = await prefill(s.runner, X, table(70, 40), 6);
      t.true(sameBits(chunked, solo), 'chunked prefill (6 tokens per chunk) differs from one-shot');

      // X again inside a batch of prefills and decodes of other sequences.
      const others = [prompt(5, 1), prompt(12, 2), prompt(3, 4)];
      const oTables = others.map((_, i) => table(140 + i * 20, 16));
      await s.runner.forward([{ tokens: others[0]!, startPos: 0, blockTable: oTables[0]!, wantLogits: false }]);
      const batch: ForwardSequence[] = [
        { tokens: [7], startPos: others[0]!.length, blockTable: oTables[0]!, wantLogits: true },
        { tokens: others[1]!, startPos: 0, blockTable: oTables[1]!, wantLogits: true },
        { tokens: X, startPos: 0, blockTable: table(200, 40), wantLogits: true },
        { tokens: others[2]!, startPos: 0, blockTable: oTables[2]!, wantLogits: false },
      ];
      const out = await s.runner.forward(batch);
      t.deepEqual(out.rows, [0, 1, 2]);
      t.true(sameBits(row(out.logits, 2, V), solo), 'logits in a batch of 4 differ from batch 1');
      // The decode row must be its own sequence's, not a neighbour's: it differs from X's.
      t.false(sameBits(row(out.logits, 0, V), solo));
    } finally {
      s.dispose();
    }
  });
}

test('emulated CUDA and CPU runners agree within f32 rounding but are separate code paths', async (t) => {
  const cpu = setup({ arch: 'qwen2', seed: 33, dtype: 'bf16' });
  const emu = setup({ arch: 'qwen2', seed: 33, dtype: 'bf16', backend: 'cuda-emulation' });
  try {
    const toks = prompt(20, 8);
    const a = await prefill(cpu.runner, toks, table(0, 20));
    const b = await prefill(emu.runner, toks, table(0, 20));
    t.true(relDiff(b, a) <= 1e-5, `relative diff ${relDiff(b, a)}`);
    t.not(cpu.runner.kernel, emu.runner.kernel);
  } finally {
    cpu.dispose();
    emu.dispose();
  }
});

test('runnerKind: host pools get the CPU runner or the emulation, device pools the CUDA runner only in a CUDA build', (t) => {
  const host = { numLayers: 2, numBlocks: 8, blockSize: 4, numKvHeads: 2, headDim: 16, dtype: 'f32' as const };
  t.is(runnerKind(host, 'cpu', false), 'cpu');
  t.is(runnerKind(host, 'cuda-emulation', false), 'cuda-emulation');
  t.is(runnerKind({ ...host, device: 0 }, 'cpu', true), 'cuda');
  t.throws(() => runnerKind({ ...host, device: 1 }, 'cpu', false), { message: /kvPool\.spec\.device = 1; .*built without CUDA/ });
  t.throws(() => runnerKind({ ...host, device: 0 }, 'cuda-emulation', true), { message: /host KV pool/ });
  t.throws(() => runnerKind(host, 'gpu' as never, true), { message: /backend = gpu; expected "cpu" or "cuda-emulation"/ });
});

test('a forward on the emulated CUDA runner validates the batch like the CPU runner', async (t) => {
  const s: Setup = setup({ arch: 'llama', seed: 34, backend: 'cuda-emulation', numBlocks: 8 });
  try {
    await t.throwsAsync(s.runner.forward([{ tokens: [1, 2, 3, 4, 5], startPos: 0, blockTable: [0], wantLogits: true }]), { message: /blockTable has 1 blocks; positions 0..4 need 2/ });
    await t.throwsAsync(s.runner.forward([{ tokens: [256], startPos: 0, blockTable: [0], wantLogits: true }]), { message: /tokens\[0\] = 256/ });
  } finally {
    s.dispose();
  }
});
