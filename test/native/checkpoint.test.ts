import test from 'ava';
import path from 'node:path';
import { readdir, readFile } from 'node:fs/promises';
import {
  DTYPES, DTYPE_BYTES, writeCheckpoint, loadCheckpoint, convertSafetensors, writeSafetensors,
  readCheckpointIndex, LoadCancelledError, type TensorInput,
} from '../../backend/native/index.ts';
import { randomBytes, tempDir, shmAvailable } from './helpers.ts';

function bytesOf(r: Awaited<ReturnType<typeof loadCheckpoint>>, name: string): Buffer {
  const t = r.tensors.get(name)!;
  return r.host!.subarray(t.offset, t.offset + t.size);
}

test('save -> load is byte-identical for every dtype and odd sizes', async (t) => {
  const { dir, cleanup } = await tempDir();
  try {
    const inputs: TensorInput[] = [];
    for (const [i, dtype] of DTYPES.entries()) {
      for (const n of [0, 1, 7, 333, 4099]) inputs.push({ name: `w.${dtype}.${n}`, dtype, shape: [n], data: randomBytes(n * DTYPE_BYTES[dtype]) });
      inputs.push({ name: `m.${dtype}`, dtype, shape: [3, 5, i + 1], data: randomBytes(15 * (i + 1) * DTYPE_BYTES[dtype]) });
    }
    const ck = path.join(dir, 'ck');
    const index = await writeCheckpoint(ck, inputs);
    t.is(index.partitions.length, 1);
    const r = await loadCheckpoint(ck);
    for (const inp of inputs) {
      const e = index.tensors[inp.name]!;
      t.is(e.offset % 256, 0, `${inp.name} offset aligned`);
      t.true(bytesOf(r, inp.name).equals(inp.data as Buffer), inp.name);
    }
    const f32 = r.view('m.f32');
    t.true(f32 instanceof Float32Array);
    t.is(f32.length, 15);
  } finally {
    await cleanup();
  }
});

test('many tensors across several partitions (small cap), files padded to 4 KiB', async (t) => {
  const { dir, cleanup } = await tempDir();
  try {
    const inputs: TensorInput[] = Array.from({ length: 300 }, (_, i) => ({ name: `layer.${i}`, dtype: 'u8' as const, shape: [1 + ((i * 977) % 5000)], data: randomBytes(1 + ((i * 977) % 5000)) }));
    inputs.push({ name: 'big', dtype: 'f32', shape: [50_000], data: randomBytes(200_000) }); // larger than the cap: own partition
    const ck = path.join(dir, 'ck');
    const index = await writeCheckpoint(ck, inputs, { partitionBytes: 64 * 1024 });
    t.true(index.partitions.length > 5, `${index.partitions.length} partitions`);
    for (const p of index.partitions) {
      t.is(p.fileBytes % 4096, 0);
      t.is((await readFile(path.join(ck, p.file))).length, p.fileBytes);
    }
    const r = await loadCheckpoint(ck, { chunkBytes: 8192, threads: 3 });
    for (const inp of inputs) t.true(bytesOf(r, inp.name).equals(inp.data as Buffer), inp.name);
    t.true(r.stages.length >= 3);
    t.is(r.source, 'disk');
  } finally {
    await cleanup();
  }
});

test('safetensors conversion preserves every tensor', async (t) => {
  const { dir, cleanup } = await tempDir();
  try {
    const tensors = DTYPES.map((dtype, i) => ({ name: `t${i}`, dtype, shape: [i + 2, 3], data: randomBytes((i + 2) * 3 * DTYPE_BYTES[dtype]) }));
    const st = path.join(dir, 'model.safetensors');
    await writeSafetensors(st, tensors);
    await convertSafetensors([st], path.join(dir, 'ck'));
    const r = await loadCheckpoint(path.join(dir, 'ck'));
    for (const x of tensors) {
      t.true(bytesOf(r, x.name).equals(x.data));
      t.deepEqual(r.tensors.get(x.name)!.shape, x.shape);
      t.is(r.tensors.get(x.name)!.dtype, x.dtype);
    }
  } finally {
    await cleanup();
  }
});

test('direct I/O falls back to buffered reads and reports it', async (t) => {
  const { dir, cleanup } = await tempDir('fleetlab-shm-', shmAvailable ? '/dev/shm' : undefined);
  try {
    const data = randomBytes(100_003);
    const ck = path.join(dir, 'ck');
    await writeCheckpoint(ck, [{ name: 'x', dtype: 'u8', shape: [data.length], data }]);
    // tmpfs accepts O_DIRECT on recent kernels, so also force the refusal through the
    // addon's fault-injection switch (read per open, so setting it here takes effect). The
    // files are on tmpfs, which the loader would map rather than read: this is about reads.
    const first = await loadCheckpoint(ck, { mapMemoryFs: false });
    t.true(['direct', 'buffered'].includes(first.ioMode));
    process.env['FLEETLAB_NATIVE_REFUSE_DIRECT_IO'] = '1';
    try {
      const r = await loadCheckpoint(ck, { mapMemoryFs: false });
      t.is(r.ioMode, 'buffered');
      t.regex(r.fallbackReason, /O_DIRECT/);
      t.true(bytesOf(r, 'x').equals(data));
    } finally {
      delete process.env['FLEETLAB_NATIVE_REFUSE_DIRECT_IO'];
    }
    const off = await loadCheckpoint(ck, { directIo: false, mapMemoryFs: false });
    t.is(off.ioMode, 'buffered');
  } finally {
    await cleanup();
  }
});

test('concurrent loads of different and identical checkpoints', async (t) => {
  const { dir, cleanup } = await tempDir();
  try {
    const datas = [0, 1, 2].map((i) => randomBytes(300_000 + i * 12_345));
    await Promise.all(datas.map((d, i) => writeCheckpoint(path.join(dir, `ck${i}`), [{ name: 'w', dtype: 'u8', shape: [d.length], data: d }])));
    const loads = await Promise.all([0, 1, 2, 0, 1, 2].map((i) => loadCheckpoint(path.join(dir, `ck${i}`), { chunkBytes: 16384, threads: 2 })));
    loads.forEach((r, k) => t.true(bytesOf(r, 'w').equals(datas[k % 3]!)));
  } finally {
    await cleanup();
  }
});

test('cancellation rejects with LoadCancelledError; progress reaches the total', async (t) => {
  const { dir, cleanup } = await tempDir();
  try {
    const data = randomBytes(8 << 20);
    const ck = path.join(dir, 'ck');
    await writeCheckpoint(ck, [{ name: 'w', dtype: 'u8', shape: [data.length], data }]);
    const seen: number[] = [];
    const ok = await loadCheckpoint(ck, { chunkBytes: 65536, onProgress: (p) => seen.push(p.bytesDone / p.bytesTotal) });
    t.is(seen.at(-1), 1);
    t.true(bytesOf(ok, 'w').equals(data));

    const ac = new AbortController();
    const p = loadCheckpoint(ck, { chunkBytes: 4096, threads: 1, poolChunks: 2, signal: ac.signal, onProgress: (x) => { if (x.bytesDone > 65536) ac.abort(); } });
    await t.throwsAsync(p, { instanceOf: LoadCancelledError, message: /cancelled/ });
    const pre = new AbortController();
    pre.abort();
    await t.throwsAsync(loadCheckpoint(ck, { signal: pre.signal }), { instanceOf: LoadCancelledError });
  } finally {
    await cleanup();
  }
});

test('publish is atomic: a failed write leaves neither the target nor a temp directory', async (t) => {
  const { dir, cleanup } = await tempDir();
  try {
    const ck = path.join(dir, 'ck');
    await t.throwsAsync(writeCheckpoint(ck, [{ name: 'a', dtype: 'u8', shape: [4], data: { file: path.join(dir, 'missing.bin'), offset: 0, size: 4 } }]));
    t.deepEqual(await readdir(dir), []);
    await writeCheckpoint(ck, [{ name: 'a', dtype: 'u8', shape: [1], data: Buffer.from([1]) }]);
    await t.throwsAsync(writeCheckpoint(ck, [{ name: 'a', dtype: 'u8', shape: [1], data: Buffer.from([2]) }]), { message: /already exists/ });
    await writeCheckpoint(ck, [{ name: 'b', dtype: 'u8', shape: [1], data: Buffer.from([2]) }], { overwrite: true });
    t.deepEqual(Object.keys((await readCheckpointIndex(ck)).tensors), ['b']);
    t.deepEqual(await readdir(dir), ['ck']);
  } finally {
    await cleanup();
  }
});
