// Bad inputs get a clear error naming the tensor or field; nothing reaches native code
// unchecked, and the native layer's own checks hold when TypeScript is bypassed.
import test from 'ava';
import { KvBlockPool, loadAddon, NativeError } from '../../backend/native/index.ts';
import { ModelRunner, type RunnerTensor } from '../../backend/engine/runner/index.ts';
import type { ModelArch } from '../../backend/model/arch.ts';
import { prompt, setup } from './harness.ts';
import { tinyModel } from './tiny-model.ts';

function poolFor(a: ModelArch, over: Partial<ConstructorParameters<typeof KvBlockPool>[0]> = {}): KvBlockPool {
  return new KvBlockPool({ numLayers: a.num_hidden_layers, numBlocks: 16, blockSize: 4, numKvHeads: a.num_key_value_heads, headDim: a.head_dim, dtype: 'f32', ...over });
}

function create(arch: ModelArch, get: (n: string) => RunnerTensor | undefined, pool: KvBlockPool): () => ModelRunner {
  return () => ModelRunner.create({ arch, tensors: get, kvPool: pool });
}

test('creation errors name the tensor, the shape found and the shape expected', (t) => {
  const m = tinyModel({ arch: 'qwen2', seed: 1 });
  const pool = poolFor(m.arch);
  try {
    const q = 'model.layers.1.self_attn.q_proj.weight';
    let e = t.throws(create(m.arch, (n) => (n === q ? undefined : m.tensors.get(n)), pool), { instanceOf: NativeError });
    t.is(e.message, `tensor ${q} is missing`);
    e = t.throws(create(m.arch, (n) => (n === 'model.layers.0.self_attn.k_proj.bias' ? undefined : m.tensors.get(n)), pool));
    t.regex(e.message, /k_proj\.bias is missing/, 'qwen2 needs its QKV biases');
    const wrong = { ...m.tensors.get(q)!, shape: [64, 63] };
    e = t.throws(create(m.arch, (n) => (n === q ? wrong : m.tensors.get(n)), pool));
    t.is(e.message, `tensor ${q} has shape [64, 63]; expected [64, 64]`);
    e = t.throws(create(m.arch, (n) => (n === q ? { ...m.tensors.get(q)!, dtype: 'i8' as never } : m.tensors.get(n)), pool));
    t.regex(e.message, /q_proj\.weight has dtype i8; the runner reads f32, bf16 or f16/);
    e = t.throws(create(m.arch, (n) => (n === q ? { ...m.tensors.get(q)!, data: new Uint8Array(10) } : m.tensors.get(n)), pool));
    t.regex(e.message, /data holds 10 bytes; expected a Uint8Array of 16384 bytes/);
    e = t.throws(create({ ...m.arch, arch: 'mistral' as never }, (n) => m.tensors.get(n), pool));
    t.regex(e.message, /arch\.arch = "mistral"; unsupported architecture/);
    e = t.throws(create({ ...m.arch, num_key_value_heads: 3 }, (n) => m.tensors.get(n), pool));
    t.regex(e.message, /num_attention_heads = 4; expected a multiple of num_key_value_heads \(3\)/);
    e = t.throws(create({ ...m.arch, tie_word_embeddings: false }, (n) => m.tensors.get(n), pool));
    t.is(e.message, 'tensor lm_head.weight is missing', 'untied models need lm_head');
    const other = poolFor(m.arch, { numLayers: 3 });
    e = t.throws(create(m.arch, (n) => m.tensors.get(n), other));
    t.regex(e.message, /kvPool\.spec\.numLayers = 3; expected 2/);
    other.free();
    e = t.throws(() => ModelRunner.create({ arch: m.arch, tensors: (n) => m.tensors.get(n), kvPool: pool, threads: 0 }));
    t.regex(e.message, /threads = 0/);
  } finally {
    pool.free();
  }
});

test('forward errors: block table too short, token id >= vocab, bad block id, empty batch', async (t) => {
  const s = setup({ arch: 'llama', seed: 2, numBlocks: 16 });
  try {
    const r = s.runner;
    let e = await t.throwsAsync(r.forward([{ tokens: prompt(9, 1), startPos: 0, blockTable: [0, 1], wantLogits: true }]), { instanceOf: NativeError });
    t.is(e.message, 'batch[0].blockTable has 2 blocks; positions 0..8 need 3 (block size 4)');
    e = await t.throwsAsync(r.forward([{ tokens: [1], startPos: 8, blockTable: [0, 1], wantLogits: true }]));
    t.regex(e.message, /positions 0\.\.8 need 3/);
    e = await t.throwsAsync(r.forward([{ tokens: [3, 256], startPos: 0, blockTable: [0], wantLogits: true }]));
    t.is(e.message, 'batch[0].tokens[1] = 256; expected an integer in [0, 256)');
    e = await t.throwsAsync(r.forward([{ tokens: [3], startPos: 0, blockTable: [16], wantLogits: true }]));
    t.is(e.message, 'batch[0].blockTable[0] = 16; expected an integer in [0, 16)');
    e = await t.throwsAsync(r.forward([]));
    t.regex(e.message, /non-empty/);
    e = await t.throwsAsync(r.forward([{ tokens: [], startPos: 0, blockTable: [0], wantLogits: true }]));
    t.regex(e.message, /batch\[0\]\.tokens has 0 tokens/);
    // Still works afterwards.
    const ok = await r.forward([{ tokens: [1, 2], startPos: 0, blockTable: [0], wantLogits: true }]);
    t.is(ok.logits.length, 256);
  } finally {
    s.dispose();
  }
});

test('one step in flight: a second concurrent forward is refused with EBUSY; free is refused meanwhile', async (t) => {
  const s = setup({ arch: 'qwen2', seed: 3 });
  try {
    const step = { tokens: prompt(30, 2), startPos: 0, blockTable: [0, 1, 2, 3, 4, 5, 6, 7], wantLogits: true };
    const first = s.runner.forward([step]);
    const e = await t.throwsAsync(s.runner.forward([{ ...step, blockTable: [8, 9, 10, 11, 12, 13, 14, 15] }]));
    t.is((e as NativeError).code, 'EBUSY');
    t.throws(() => s.runner.free(), { message: /in flight/ });
    t.is((await first).logits.length, 256);
  } finally {
    s.dispose();
  }
  const e = await t.throwsAsync(s.runner.forward([{ tokens: [1], startPos: 0, blockTable: [0], wantLogits: true }]));
  t.is((e as NativeError).code, 'EFREED');
});

test('the native layer refuses bad arguments by itself (TypeScript bypassed) without crashing', async (t) => {
  const s = setup({ arch: 'llama', seed: 4, numBlocks: 8 });
  const m = tinyModel({ arch: 'llama', seed: 4 });
  try {
    const addon = loadAddon();
    // Reach the native object the way a buggy caller could.
    const native = (s.runner as unknown as { native: { forward: (...a: unknown[]) => Promise<void> } }).native;
    const call = (tokens: number[], seqs: number[], tables: number[], offs: number[], logits: number): unknown =>
      native.forward(Int32Array.from(tokens), Int32Array.from(seqs), Int32Array.from(tables), Int32Array.from(offs), new Float32Array(logits));
    t.throws(() => call([1, 2], [0, 2, 0, 1], [99], [0, 1], 256), { message: /block id 99 outside \[0, 8\)/ });
    t.throws(() => call([1, 2], [0, 2, 7, 1], [0], [0, 1], 256), { message: /block table has 1 blocks \(4 slots\), needs 9/ });
    t.throws(() => call([1, 999], [0, 2, 0, 1], [0], [0, 1], 256), { message: /token id 999 at index 1/ });
    t.throws(() => call([1, 2], [0, 2, 0, 1], [0], [0, 1], 10), { message: /logits must hold 1 x 256/ });
    t.throws(() => call([1, 2], [0, 3, 0, 1], [0], [0, 1], 256), { message: /token ranges|cover/ });
    t.throws(() => new addon.ModelRunner(new Float64Array(3), [], new Int32Array(0), s.pool.nativeHandle(), 'auto'), { message: /config must hold 18/ });
    const slots: (Uint8Array | null)[] = [m.tensors.get('model.embed_tokens.weight')!.data.subarray(0, 8)];
    t.throws(() => new addon.ModelRunner(new Float64Array([256, 64, 128, 2, 4, 2, 16, 1e-5, 1e4, 0, 1, 1, 4, 2048, 0, 4, 0, 1]), slots, new Int32Array(1), s.pool.nativeHandle(), 'auto'), { message: /expected 27 tensor slots/ });
    // The native guard holds on its own: a second step while one runs is refused.
    const busy = call(Array.from({ length: 28 }, (_, i) => i), [0, 28, 0, 1], [0, 1, 2, 3, 4, 5, 6], [0, 7], 256) as Promise<void>;
    t.throws(() => call([1], [0, 1, 0, 1], [7], [0, 1], 256), { message: /already in flight/ });
    await busy;
    t.pass('process still alive');
  } finally {
    s.dispose();
  }
});

test('tensorsFromImage: zero-copy views into one image; the runner gives the same logits as from separate buffers', async (t) => {
  const { tensorsFromImage } = await import('../../backend/engine/runner/index.ts');
  const m = tinyModel({ arch: 'qwen2', seed: 5, dtype: 'bf16' });
  // Lay every tensor out in one image at 256-byte aligned offsets, as the checkpoint loader does.
  const views = new Map<string, { name: string; dtype: 'bf16'; shape: readonly number[]; offset: number; size: number }>();
  let end = 0;
  for (const [name, tensor] of m.tensors) {
    views.set(name, { name, dtype: 'bf16', shape: tensor.shape, offset: end, size: tensor.data.byteLength });
    end = Math.ceil((end + tensor.data.byteLength) / 256) * 256;
  }
  const image = Buffer.alloc(end);
  for (const [name, v] of views) image.set(m.tensors.get(name)!.data, v.offset);
  const pool = poolFor(m.arch);
  try {
    const fromImage = ModelRunner.create({ arch: m.arch, tensors: tensorsFromImage(image, views), kvPool: pool });
    const direct = ModelRunner.create({ arch: m.arch, tensors: (n) => m.tensors.get(n), kvPool: pool });
    const step = (table: number[]) => [{ tokens: prompt(7, 3), startPos: 0, blockTable: table, wantLogits: true }];
    const a = await fromImage.forward(step([0, 1]));
    const b = await direct.forward(step([2, 3]));
    t.deepEqual(Buffer.from(a.logits.buffer), Buffer.from(b.logits.buffer));
    fromImage.free();
    direct.free();
    const bad = new Map(views);
    bad.set('model.norm.weight', { ...views.get('model.norm.weight')!, dtype: 'i8' as never });
    t.throws(() => tensorsFromImage(image, bad)('model.norm.weight'), { message: /model\.norm\.weight has dtype i8/ });
  } finally {
    pool.free();
  }
});
