import test from 'ava';
import path from 'node:path';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { ConfigError } from '../../config/index.ts';
import { readSafetensorsHeader, writeSafetensors, type Dtype } from '../../backend/native/index.ts';
import { expectedTensors, readModelFolder } from '../../backend/model/index.ts';
import { microModel, tempDir } from './helpers.ts';

interface Raw { name: string; dtype: Dtype; shape: number[]; data: Uint8Array }

async function readAll(file: string): Promise<Raw[]> {
  const h = await readSafetensorsHeader(file);
  const bytes = await readFile(file);
  return h.tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, data: bytes.subarray(t.begin, t.end) }));
}

/** Rewrites a folder's model.safetensors through `edit`. */
async function editWeights(dir: string, edit: (ts: Raw[]) => Raw[]): Promise<void> {
  const file = path.join(dir, 'model.safetensors');
  const ts = edit(await readAll(file));
  await writeSafetensors(file, ts);
}

test('a tiny qwen2 folder reads: arch, generation defaults, every tensor in arch order', async (t) => {
  const { dir, cleanup } = await tempDir();
  try {
    const m = await microModel(dir);
    const f = await readModelFolder(m);
    t.is(f.arch.arch, 'qwen2');
    t.deepEqual(f.files, [path.join(m, 'model.safetensors')]);
    t.deepEqual(f.tensors.used.map((x) => x.name), expectedTensors(f.arch).map((x) => x.name));
    t.deepEqual(f.tensors.ignored, []);
    t.true(f.tensors.used.some((x) => x.name.endsWith('q_proj.bias')));
    t.false(f.tensors.used.some((x) => x.name === 'lm_head.weight'));
    t.is(f.generation.eos_token_ids.length, 2);
    t.is(f.generation.top_k, 20);
  } finally {
    await cleanup();
  }
});

test('sharded folder (model-0000x-of-00002 + index.json) reads the same tensors', async (t) => {
  const { dir, cleanup } = await tempDir();
  try {
    const m = await microModel(dir);
    const single = await readModelFolder(m);
    const all = await readAll(path.join(m, 'model.safetensors'));
    const half = Math.ceil(all.length / 2);
    const shards = [all.slice(0, half), all.slice(half)];
    const weightMap: Record<string, string> = {};
    for (const [i, part] of shards.entries()) {
      const name = `model-0000${i + 1}-of-00002.safetensors`;
      await writeSafetensors(path.join(m, name), part);
      for (const x of part) weightMap[x.name] = name;
    }
    await rm(path.join(m, 'model.safetensors'));
    await writeFile(path.join(m, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }));
    const sharded = await readModelFolder(m);
    t.is(sharded.files.length, 2);
    t.deepEqual(sharded.tensors.used.map((x) => [x.name, x.shape, x.dtype]), single.tensors.used.map((x) => [x.name, x.shape, x.dtype]));
    const inSecond = new Set(shards[1]!.map((x) => x.name));
    for (const x of sharded.tensors.used) t.is(path.basename(x.file), inSecond.has(x.name) ? 'model-00002-of-00002.safetensors' : 'model-00001-of-00002.safetensors', x.name);

    // The index names a tensor in the wrong shard.
    const wrong = { ...weightMap, [all[0]!.name]: 'model-00002-of-00002.safetensors' };
    await writeFile(path.join(m, 'model.safetensors.index.json'), JSON.stringify({ weight_map: wrong }));
    const e1 = await t.throwsAsync(readModelFolder(m), { instanceOf: ConfigError });
    t.regex(e1.message, /weight_map\["model\.embed_tokens\.weight"\].*"model-00001-of-00002\.safetensors"/);

    // Shards without an index.
    await rm(path.join(m, 'model.safetensors.index.json'));
    const e2 = await t.throwsAsync(readModelFolder(m), { instanceOf: ConfigError });
    t.regex(e2.message, /model\.safetensors\.index\.json to be present beside the shards/);
  } finally {
    await cleanup();
  }
});

test('tensor validation names the tensor: missing, wrong shape, wrong dtype, mixed dtypes', async (t) => {
  const { dir, cleanup } = await tempDir();
  try {
    const cases: Array<[string, (ts: Raw[]) => Raw[], RegExp]> = [
      ['missing', (ts) => ts.filter((x) => x.name !== 'model.layers.1.mlp.up_proj.weight'),
        /tensors\["model\.layers\.1\.mlp\.up_proj\.weight"\] to be present with shape \[48, 32\], received nothing/],
      ['shape', (ts) => ts.map((x) => (x.name === 'model.layers.0.self_attn.k_proj.weight' ? { ...x, shape: [32, 16] } : x)),
        /tensors\["model\.layers\.0\.self_attn\.k_proj\.weight"\]\.shape to be \[16, 32\] for this config\.json, received \[32, 16\]/],
      ['dtype', (ts) => ts.map((x) => (x.name === 'model.norm.weight' ? { ...x, dtype: 'i32' as const } : x)),
        /tensors\["model\.norm\.weight"\]\.dtype to be one of f32 \| bf16 \| f16, received "i32"/],
      ['mixed', (ts) => ts.map((x) => (x.name === 'model.norm.weight' ? { ...x, dtype: 'f16' as const, data: x.data.subarray(0, x.data.length / 2) } : x)),
        /tensors\["model\.norm\.weight"\]\.dtype to be f32 like model\.embed_tokens\.weight/],
    ];
    for (const [what, edit, message] of cases) {
      const m = await microModel(dir, { out: what });
      await editWeights(m, edit);
      const err = await t.throwsAsync(readModelFolder(m), { instanceOf: ConfigError }, what);
      t.regex(err.message, message, what);
    }
  } finally {
    await cleanup();
  }
});

test('extra tensors (a tied model that still ships lm_head) are listed as ignored', async (t) => {
  const { dir, cleanup } = await tempDir();
  try {
    const m = await microModel(dir);
    await editWeights(m, (ts) => [...ts, { ...ts[0]!, name: 'lm_head.weight' }, { name: 'model.layers.0.self_attn.rotary_emb.inv_freq', dtype: 'f32', shape: [4], data: new Uint8Array(16) }]);
    const f = await readModelFolder(m);
    t.deepEqual(f.tensors.ignored.sort(), ['lm_head.weight', 'model.layers.0.self_attn.rotary_emb.inv_freq']);
  } finally {
    await cleanup();
  }
});

test('folder errors: no config.json, no weights, bad generation_config', async (t) => {
  const { dir, cleanup } = await tempDir();
  try {
    const m = await microModel(dir);
    await rename(path.join(m, 'config.json'), path.join(m, 'config.bak'));
    t.regex((await t.throwsAsync(readModelFolder(m), { instanceOf: ConfigError })).message, /config\.json: Expected \(file\) to be a readable file.*"ENOENT"/);
    await rename(path.join(m, 'config.bak'), path.join(m, 'config.json'));
    await writeFile(path.join(m, 'generation_config.json'), JSON.stringify({ eos_token_id: 'x' }));
    t.regex((await t.throwsAsync(readModelFolder(m), { instanceOf: ConfigError })).message, /generation_config\.json: Expected eos_token_id/);
    await rm(path.join(m, 'generation_config.json'));
    t.deepEqual((await readModelFolder(m)).generation, { eos_token_ids: [] });
    await rename(path.join(m, 'model.safetensors'), path.join(m, 'pytorch_model.bin'));
    t.regex((await t.throwsAsync(readModelFolder(m), { instanceOf: ConfigError })).message, /model\.safetensors or model\.safetensors\.index\.json.*"pytorch_model\.bin"/);
  } finally {
    await cleanup();
  }
});
