import test from 'ava';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { ConfigError } from '../../config/index.ts';
import {
  ensureTinyModel, fromBf16, makeTinyModel, readModelFolder, resolveModelDir, resolveTinySpec, TINY_PRESETS,
} from '../../backend/model/index.ts';
import { readSafetensorsHeader } from '../../backend/native/index.ts';
import { MICRO, microModel, tempDir } from './helpers.ts';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '..', '..');

async function filesOf(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const f of (await readdir(dir)).sort()) out.set(f, await readFile(path.join(dir, f)));
  return out;
}

async function tensor(dir: string, name: string): Promise<{ dtype: string; data: Buffer }> {
  const file = path.join(dir, 'model.safetensors');
  const h = await readSafetensorsHeader(file);
  const e = h.tensors.find((x) => x.name === name)!;
  return { dtype: e.dtype, data: (await readFile(file)).subarray(e.begin, e.end) };
}

test('same options and seed → byte-identical folders; another seed changes only the weights', async (t) => {
  const { dir, cleanup } = await tempDir();
  try {
    const a = await filesOf(await microModel(dir, { out: 'a', seed: 5 }));
    const b = await filesOf(await microModel(dir, { out: 'b', seed: 5 }));
    const c = await filesOf(await microModel(dir, { out: 'c', seed: 6 }));
    t.deepEqual([...a.keys()], ['config.json', 'fleetlab-tiny.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    for (const [name, bytes] of a) t.true(bytes.equals(b.get(name)!), name);
    t.false(a.get('model.safetensors')!.equals(c.get('model.safetensors')!));
    t.true(a.get('tokenizer.json')!.equals(c.get('tokenizer.json')!));
  } finally {
    await cleanup();
  }
});

test('both archs: qwen2 tied with q/k/v biases, llama untied without biases and with llama3 RoPE', async (t) => {
  const { dir, cleanup } = await tempDir();
  try {
    const q = await readModelFolder(await microModel(dir, { out: 'q', arch: 'qwen2' }));
    const l = await readModelFolder(await microModel(dir, { out: 'l', arch: 'llama' }));
    const names = (f: typeof q) => new Set(f.tensors.used.map((x) => x.name));
    t.true(names(q).has('model.layers.0.self_attn.k_proj.bias'));
    t.false(names(q).has('lm_head.weight'));
    t.true(q.arch.tie_word_embeddings);
    t.false(names(l).has('model.layers.0.self_attn.k_proj.bias'));
    t.true(names(l).has('lm_head.weight'));
    t.is(l.arch.rope_scaling.kind, 'llama3');
    t.is(l.arch.num_hidden_layers, MICRO.layers);
    t.is(l.arch.num_key_value_heads, MICRO.kv_heads);
  } finally {
    await cleanup();
  }
});

test('bf16 weights are the f32 weights of the same seed rounded to nearest even', async (t) => {
  const { dir, cleanup } = await tempDir();
  try {
    const f = await microModel(dir, { out: 'f', dtype: 'f32' });
    const h = await microModel(dir, { out: 'h', dtype: 'bf16' });
    const name = 'model.layers.1.mlp.down_proj.weight';
    const f32 = await tensor(f, name);
    const b16 = await tensor(h, name);
    t.is(b16.dtype, 'bf16');
    const exact = new Float32Array(f32.data.buffer.slice(f32.data.byteOffset, f32.data.byteOffset + f32.data.byteLength));
    const rounded = fromBf16(new Uint16Array(b16.data.buffer.slice(b16.data.byteOffset, b16.data.byteOffset + b16.data.byteLength)));
    t.is(rounded.length, exact.length);
    let worst = 0;
    for (let i = 0; i < exact.length; i++) worst = Math.max(worst, Math.abs(rounded[i]! - exact[i]!) / Math.abs(exact[i]!));
    t.true(worst <= 2 ** -8, `relative error ${worst}`);
    t.true(worst > 0);
  } finally {
    await cleanup();
  }
});

test('weight scales: unit-ish projections, norms near 1, embeddings sized for logits of std ~2', async (t) => {
  // (tied qwen2 here: shorter embedding rows, final norm gain 2; see random-weights.ts)
  const { dir, cleanup } = await tempDir();
  try {
    const m = await microModel(dir, { hidden: 64, heads: 4, intermediate: 128, vocab: 512 });
    const stdOf = async (name: string) => {
      const { data } = await tensor(m, name);
      const v = new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      return { mean, std: Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length) };
    };
    const q = await stdOf('model.layers.0.self_attn.q_proj.weight');
    t.true(Math.abs(q.std - 1 / 8) < 0.01, `q_proj std ${q.std}`);
    const n = await stdOf('model.layers.0.input_layernorm.weight');
    t.true(Math.abs(n.mean - 1) < 0.05 && n.std > 0.05, `norm mean ${n.mean}`);
    const e = await stdOf('model.embed_tokens.weight');
    t.true(Math.abs(e.std * Math.sqrt(64) - 1) < 0.05, `embedding std ${e.std}`);
    t.true(Math.abs((await stdOf('model.norm.weight')).mean - 2) < 0.1);
  } finally {
    await cleanup();
  }
});

test('presets: the 3B stand-in has about twice the 1.5B stand-in\'s weight bytes', (t) => {
  const bytes = (p: keyof typeof TINY_PRESETS) => {
    const s = resolveTinySpec({ preset: p });
    const kv = (s.hidden / s.heads) * s.kv_heads;
    const layer = 2 * s.hidden * s.hidden + 2 * s.hidden * kv + 3 * s.hidden * s.intermediate;
    return (s.layers * layer + s.vocab * s.hidden) * (s.dtype === 'f32' ? 4 : 2);
  };
  const ratio = bytes('tiny-3b') / bytes('tiny-1_5b');
  t.true(ratio > 1.7 && ratio < 2.6, `ratio ${ratio}`);
  t.true(bytes('tiny') < 5e6, 'the default tiny model stays a few MB');
});

test('bad shapes are refused naming the option', (t) => {
  t.regex(t.throws(() => resolveTinySpec({ heads: 3 }), { instanceOf: ConfigError }).message, /Expected heads to be a divisor of hidden \(128\)/);
  t.regex(t.throws(() => resolveTinySpec({ kv_heads: 3 }), { instanceOf: ConfigError }).message, /Expected kv_heads to be a divisor of heads \(4\), received 3/);
  t.regex(t.throws(() => resolveTinySpec({ vocab: 100 }), { instanceOf: ConfigError }).message, /vocab >= 260/);
  t.throws(() => resolveTinySpec({ preset: 'huge' }), { message: /unknown tiny preset "huge"/ });
});

test('an existing folder is replaced only with overwrite', async (t) => {
  const { dir, cleanup } = await tempDir();
  try {
    const m = await microModel(dir);
    await t.throwsAsync(makeTinyModel({ ...MICRO, seed: 1, out: m }), { message: /already exists/ });
    await makeTinyModel({ ...MICRO, seed: 2, out: m, overwrite: true });
    t.is(JSON.parse(await readFile(path.join(m, 'fleetlab-tiny.json'), 'utf8')).seed, 2);
  } finally {
    await cleanup();
  }
});

test('ensureTinyModel writes the preset once into <cache>/models/<name>; resolveModelDir', async (t) => {
  const { dir, cleanup } = await tempDir();
  try {
    const m = await ensureTinyModel('tiny', dir);
    t.is(m, path.join(dir, 'models', 'tiny'));
    const first = (await stat(path.join(m, 'model.safetensors'))).mtimeMs;
    t.is(await ensureTinyModel('tiny', dir), m);
    t.is((await stat(path.join(m, 'model.safetensors'))).mtimeMs, first, 'reused, not rewritten');
    await writeFile(path.join(m, 'fleetlab-tiny.json'), '{}');
    await ensureTinyModel('tiny', dir);
    t.not(await readFile(path.join(m, 'fleetlab-tiny.json'), 'utf8'), '{}', 'a stale stamp makes it again');
    t.is(await resolveModelDir('tiny', dir), m);
    t.is(await resolveModelDir(m, dir), m);
    await t.throwsAsync(resolveModelDir(path.join(dir, 'nope')), { message: /not a folder, and not a tiny preset name/ });
  } finally {
    await cleanup();
  }
});

test('CLI: fleetlab model make-tiny --arch llama writes a folder that inspect reads', async (t) => {
  const { dir, cleanup } = await tempDir();
  try {
    const out = path.join(dir, 'cli');
    const bin = path.join(repo, 'bin', 'fleetlab.js');
    const made = await run(process.execPath, [bin, 'model', 'make-tiny', '--arch', 'llama', '--layers', '2', '--hidden', '32', '--heads', '2', '--kv-heads', '1', '--intermediate', '40', '--vocab', '300', '--seed', '3', '--out', out]);
    t.regex(made.stdout, /llama, 2 layers, hidden 32, 2 heads \/ 1 KV heads/);
    const shown = await run(process.execPath, [bin, 'model', 'inspect', out]);
    t.regex(shown.stdout, /llama, 2 layers, hidden 32, heads 2\/1 \(head_dim 16\)/);
    t.regex(shown.stdout, /tokenizer: 300 tokens/);
    const bad = await run(process.execPath, [bin, 'model', 'make-tiny', '--arch', 'gpt2', '--out', out]).catch((e: { stderr: string }) => e);
    t.regex((bad as { stderr: string }).stderr, /expected one of llama, qwen2, received "gpt2"/);
  } finally {
    await cleanup();
  }
});
