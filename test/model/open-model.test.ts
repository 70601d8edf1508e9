import test from 'ava';
import path from 'node:path';
import { readFile, utimes, stat, writeFile, rm } from 'node:fs/promises';
import { DramCache, readSafetensorsHeader, writeSafetensors } from '../../backend/native/index.ts';
import { ensureCheckpoint, openModel, readModelFolder, CACHE_SUBDIR } from '../../backend/model/index.ts';
import { microModel, tempDir } from './helpers.ts';

async function originals(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const f of (await readModelFolder(dir)).files) {
    const bytes = await readFile(f);
    for (const t of (await readSafetensorsHeader(f)).tensors) out.set(t.name, bytes.subarray(t.begin, t.end));
  }
  return out;
}

test('openModel: converts once into <model>/.fleetlab/checkpoint, loads, every tensor equals the original bytes', async (t) => {
  const { dir, cleanup } = await tempDir();
  try {
    const m = await microModel(dir, { dtype: 'bf16' });
    const want = await originals(m);
    const model = await openModel(m);
    t.is(model.checkpointDir, path.join(m, CACHE_SUBDIR, 'checkpoint'));
    t.true(model.load.converted);
    t.is(model.tensors.size, want.size);
    for (const [name, bytes] of want) {
      const got = model.tensor(name);
      t.is(got.dtype, 'bf16');
      t.is(got.offset % 256, 0);
      t.true(Buffer.from(got.data).equals(bytes), name);
      t.true(Buffer.from(model.image.subarray(got.offset, got.offset + got.size)).equals(bytes));
    }
    t.deepEqual(model.tensor('model.norm.weight').shape, [32]);
    t.throws(() => model.tensor('lm_head.weight'), { message: /no tensor "lm_head\.weight"/ });
    t.is(model.tokenizer.decode(model.tokenizer.encode('hello world')), 'hello world');
    model.release();

    const again = await openModel(m);
    t.false(again.load.converted, 'the up-to-date conversion is reused');
    again.release();
  } finally {
    await cleanup();
  }
});

test('a changed source is converted again; a sharded folder loads the same bytes', async (t) => {
  const { dir, cleanup } = await tempDir();
  try {
    const m = await microModel(dir);
    const folder = await readModelFolder(m);
    t.true((await ensureCheckpoint(folder)).converted);
    t.false((await ensureCheckpoint(folder)).converted);
    const file = path.join(m, 'model.safetensors');
    const s = await stat(file);
    await utimes(file, s.atime, new Date(s.mtimeMs + 5000));
    t.true((await ensureCheckpoint(await readModelFolder(m))).converted, 'mtime changed → converted again');
    t.true((await ensureCheckpoint(folder, { force: true })).converted);

    // Shard it and load again.
    const h = await readSafetensorsHeader(file);
    const bytes = await readFile(file);
    const all = h.tensors.map((x) => ({ name: x.name, dtype: x.dtype, shape: x.shape, data: bytes.subarray(x.begin, x.end) }));
    const weightMap: Record<string, string> = {};
    for (const [i, part] of [all.slice(0, 5), all.slice(5)].entries()) {
      const name = `model-0000${i + 1}-of-00002.safetensors`;
      await writeSafetensors(path.join(m, name), part);
      for (const x of part) weightMap[x.name] = name;
    }
    await rm(file);
    await writeFile(path.join(m, 'model.safetensors.index.json'), JSON.stringify({ weight_map: weightMap }));
    const model = await openModel(m);
    t.true(model.load.converted, 'different source files → converted again');
    for (const x of all) t.true(Buffer.from(model.tensor(x.name).data).equals(x.data), x.name);
    model.release();
  } finally {
    await cleanup();
  }
});

test('cacheDir option and the DRAM cache: a second open reads no disk', async (t) => {
  const { dir, cleanup } = await tempDir();
  try {
    const m = await microModel(dir);
    const cacheDir = path.join(dir, 'elsewhere');
    const cache = new DramCache(64 << 20);
    const a = await openModel(m, { cacheDir, dramCache: cache });
    t.is(a.checkpointDir, path.join(cacheDir, 'checkpoint'));
    t.is(a.load.source, 'disk');
    a.release();
    const b = await openModel(m, { cacheDir, dramCache: cache });
    t.is(b.load.source, 'dram');
    t.true(Buffer.from(b.tensor('model.embed_tokens.weight').data).equals(Buffer.from(a.tensor('model.embed_tokens.weight').data)));
    b.release();
  } finally {
    await cleanup();
  }
});
