// Host fast paths: in-place O_DIRECT reads into the image (and the staged fallback when the
// destination is not aligned), the native multi-threaded copy, the native CRC-32.
import test from 'ava';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import {
  allocHostBuffer, copyBytes, loadAddon, loadCheckpoint, writeCheckpoint, NativeError, type TensorInput,
} from '../../backend/native/index.ts';
import { bodyCrc, bodyCrcAsync } from '../../backend/native/wire.ts';
import { randomBytes, tempDir } from './helpers.ts';

// Odd tensor sizes across several partitions (each padded to 4 KiB), > 1 MiB in total so the
// loader's image is 4 KiB-aligned.
function oddTensors(): TensorInput[] {
  const sizes = [1, 4095, 4097, 333_333, 1 << 20, 65_537, 7, 2_000_003];
  return sizes.map((n, i) => ({ name: `t${i}`, dtype: 'u8' as const, shape: [n], data: randomBytes(n) }));
}

async function expectEqual(t: import('ava').ExecutionContext, r: Awaited<ReturnType<typeof loadCheckpoint>>, inputs: TensorInput[]): Promise<void> {
  for (const inp of inputs) {
    const v = r.tensors.get(inp.name)!;
    t.true(r.host!.subarray(v.offset, v.offset + v.size).equals(inp.data as Buffer), inp.name);
  }
}

test('in-place reads and the staged path give identical images (odd sizes, several partitions)', async (t) => {
  const { dir, cleanup } = await tempDir();
  try {
    const inputs = oddTensors();
    const ck = path.join(dir, 'ck');
    const index = await writeCheckpoint(ck, inputs, { partitionBytes: 1 << 20 });
    t.true(index.partitions.length >= 3);
    for (const [threads, chunkBytes] of [[1, 4096], [3, 12288], [4, 1 << 20]] as const) {
      const inPlace = await loadCheckpoint(ck, { threads, chunkBytes });
      t.true(inPlace.stages.some((s) => s.stage.includes('in place')), `stages: ${inPlace.stages.map((s) => s.stage).join(', ')}`);
      t.false(inPlace.stages.some((s) => s.stage.includes('pinned')));
      await expectEqual(t, inPlace, inputs);
      const staged = await loadCheckpoint(ck, { threads, chunkBytes, readInPlace: false });
      t.false(staged.stages.some((s) => s.stage.includes('in place')));
      await expectEqual(t, staged, inputs);
      t.true(staged.host!.equals(inPlace.host!));
    }
  } finally {
    await cleanup();
  }
});

test('native loadToHost: aligned ranges are read in place, misaligned ones staged, all correct', async (t) => {
  const { dir, cleanup } = await tempDir();
  try {
    const a = randomBytes(3 * 4096 + 11);
    const b = randomBytes(5 * 4096);
    const ck = path.join(dir, 'ck');
    const index = await writeCheckpoint(ck, [{ name: 'a', dtype: 'u8', shape: [a.length], data: a }, { name: 'b', dtype: 'u8', shape: [b.length], data: b }], { partitionBytes: 4096 * 4 });
    t.is(index.partitions.length, 2);
    const paths = index.partitions.map((p) => path.join(ck, p.file));
    const readBytes = Float64Array.from(index.partitions.map((p) => p.fileBytes));
    const addon = loadAddon();
    const dest = allocHostBuffer(2 << 20);
    t.is(addon.prepareHostBuffer(dest, 4096, false).offset, 0, 'allocHostBuffer is 4 KiB-aligned');
    const cases: Array<[string, number[], number]> = [
      ['both aligned', [0, 1 << 20], readBytes[0]! + readBytes[1]!],
      ['second misaligned by 8', [4096, (1 << 20) + 8], readBytes[0]!],
      ['both misaligned (odd offsets)', [1, 777_777], 0],
    ];
    for (const [what, offs, inPlaceBytes] of cases) {
      dest.fill(0xee);
      const stats = await addon.loadToHost(paths, readBytes, Float64Array.from(offs), 2, 8192, 3, true, dest).promise;
      t.is(stats.inPlaceBytes, inPlaceBytes, what);
      t.true(dest.subarray(offs[0]!, offs[0]! + a.length).equals(a), `${what}: a`);
      t.true(dest.subarray(offs[1]!, offs[1]! + b.length).equals(b), `${what}: b`);
      t.is(dest[offs[0]! - 1] ?? 0xee, 0xee, `${what}: byte before a untouched`);
      t.is(dest[offs[1]! + readBytes[1]!], 0xee, `${what}: byte after b's partition untouched`);
    }
    const off = await addon.loadToHost(paths, readBytes, Float64Array.from([0, 1 << 20]), 2, 8192, 3, true, dest, undefined, false).promise;
    t.is(off.inPlaceBytes, 0, 'inPlace=false forces staging');
  } finally {
    await cleanup();
  }
});

test('in-place reads with buffered fallback (O_DIRECT refused) are correct', async (t) => {
  const { dir, cleanup } = await tempDir();
  try {
    const inputs = oddTensors();
    const ck = path.join(dir, 'ck');
    await writeCheckpoint(ck, inputs);
    process.env['FLEETLAB_NATIVE_REFUSE_DIRECT_IO'] = '1';
    try {
      const r = await loadCheckpoint(ck, { chunkBytes: 65536 });
      t.is(r.ioMode, 'buffered');
      t.true(r.stages.some((s) => s.stage.includes('in place')));
      await expectEqual(t, r, inputs);
    } finally {
      delete process.env['FLEETLAB_NATIVE_REFUSE_DIRECT_IO'];
    }
  } finally {
    await cleanup();
  }
});

test('copyBytes: odd lengths and offsets, any thread count; copyImageTo', async (t) => {
  for (const n of [0, 1, 4097, (9 << 20) + 3]) {
    const src = randomBytes(n + 5).subarray(5);
    for (const threads of [1, 2, 3, 8]) {
      const dst = Buffer.alloc(n + 3).subarray(3);
      await copyBytes(dst, src, { threads });
      t.true(dst.equals(src), `n=${n} threads=${threads}`);
    }
  }
  const big = randomBytes(1 << 20);
  await t.throwsAsync(copyBytes(big.subarray(0, 1000), big.subarray(500, 1500)), { instanceOf: NativeError, message: /overlap/ });
  await t.throwsAsync(copyBytes(Buffer.alloc(3), Buffer.alloc(4)), { instanceOf: NativeError, message: /3 bytes, source 4/ });
  await t.throwsAsync(copyBytes(Buffer.alloc(3), Buffer.alloc(3), { threads: 0 }), { instanceOf: NativeError, message: /threads/ });

  const { dir, cleanup } = await tempDir();
  try {
    const inputs = oddTensors();
    const ck = path.join(dir, 'ck');
    await writeCheckpoint(ck, inputs);
    const r = await loadCheckpoint(ck);
    const mine = allocHostBuffer(r.bytes);
    await r.copyImageTo(mine);
    t.true(mine.equals(r.host!));
    await t.throwsAsync(r.copyImageTo(Buffer.alloc(10)), { instanceOf: NativeError, message: /destination must be/ });
  } finally {
    await cleanup();
  }
});

test('native crc32 matches node:zlib, including seeds (wire checksums)', async (t) => {
  const addon = loadAddon();
  const a = randomBytes(3 << 20);
  const ids = randomBytes(40);
  t.is(await addon.crc32(a, 0), crc32(a));
  t.is(await addon.crc32(a.subarray(1000), crc32(a.subarray(0, 1000))), crc32(a));
  t.is(await addon.crc32(Buffer.alloc(0), 12345), 12345);
  t.is(await bodyCrcAsync([ids, a]), bodyCrc([ids, a]) >>> 0);
});
