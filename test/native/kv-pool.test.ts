import test from 'ava';
import { deviceInfo, INLINE_COPY_MAX_BYTES, KvBlockPool, NativeError } from '../../backend/native/index.ts';
import { gpuPresent, gpuReason, noGpuReason } from './hardware.ts';
import { randomBytes } from './helpers.ts';

const spec = { numLayers: 3, numBlocks: 32, blockSize: 16, numKvHeads: 2, headDim: 8, dtype: 'f16' as const };

test('scatter then gather returns the same bytes; other blocks untouched', async (t) => {
  const pool = new KvBlockPool(spec);
  t.is(pool.blockBytes, 16 * 2 * 8 * 2);
  const ids = [5, 0, 31, 7];
  const data = randomBytes(pool.stagingBytes(ids.length));
  await pool.scatter(ids, data);
  t.true(Buffer.from(await pool.gather(ids)).equals(data));
  t.true(Buffer.from(await pool.gather([1, 2])).every((b) => b === 0));
  const reordered = Buffer.from(await pool.gather([31, 5]));
  const L = pool.stagingBytes(1) / (2 * spec.numLayers); // per layer-kind block
  // staging layout [layer][K,V][i]: block 31 was position 2 in `data`, block 5 position 0.
  t.true(reordered.subarray(0, L).equals(data.subarray(2 * L, 3 * L)));
  pool.free();
});

test('inline (sync) gather and scatter copy the same bytes as the async ones; only small host copies are inline', async (t) => {
  const pool = new KvBlockPool(spec);
  const ids = [9, 3, 30];
  const data = randomBytes(pool.stagingBytes(ids.length));
  pool.scatterSync(ids, data);
  t.true(Buffer.from(await pool.gather(ids)).equals(data));
  const back = Buffer.alloc(pool.stagingBytes(2));
  pool.gatherSync([30, 9], back);
  t.true(back.equals(Buffer.from(await pool.gather([30, 9]))));
  t.throws(() => pool.gatherSync([32], back.subarray(0, pool.stagingBytes(1))), { instanceOf: NativeError, message: /blockIds\[0\] = 32/ });
  t.throws(() => pool.scatterSync([1, 1], back), { message: /repeats/ });
  t.throws(() => pool.scatterSync([1], back), { message: /staging buffer must be a Uint8Array of 3072 bytes for 1 blocks, got 6144/ });
  t.true(pool.copiesInline(1));
  t.false(pool.copiesInline(Math.floor(INLINE_COPY_MAX_BYTES / pool.stagingBytes(1)) + 1));
  pool.free();
  t.throws(() => pool.gatherSync([1], back.subarray(0, pool.stagingBytes(1))), { message: /freed/ });
});

test('copy between pools (host) and within one pool', async (t) => {
  for (const dtype of ['f32', 'f16', 'bf16'] as const) {
    const a = new KvBlockPool({ ...spec, dtype });
    const b = new KvBlockPool({ ...spec, dtype });
    const data = randomBytes(a.stagingBytes(3));
    await a.scatter([1, 2, 3], data);
    await a.copyTo(b, [1, 2, 3], [10, 20, 30]);
    t.true(Buffer.from(await b.gather([10, 20, 30])).equals(data), dtype);
    await a.copyTo(a, [1, 2, 3], [4, 5, 6]);
    t.true(Buffer.from(await a.gather([4, 5, 6])).equals(data));
  }
});

test('invalid ids, staging sizes and geometry are refused in TypeScript', async (t) => {
  const pool = new KvBlockPool(spec);
  await t.throwsAsync(pool.gather([32]), { instanceOf: NativeError, message: /blockIds\[0\] = 32; expected an integer in \[0, 32\)/ });
  await t.throwsAsync(pool.scatter([1, 1], Buffer.alloc(pool.stagingBytes(2))), { message: /repeats/ });
  await t.throwsAsync(pool.scatter([1], Buffer.alloc(3)), { message: /staging buffer must be a Uint8Array of 3072 bytes for 1 blocks, got 3/ });
  const other = new KvBlockPool({ ...spec, headDim: 16 });
  await t.throwsAsync(pool.copyTo(other, [1], [1]), { message: /equal geometry/ });
  t.throws(() => new KvBlockPool({ ...spec, numBlocks: 0 }), { message: /numBlocks/ });
  t.throws(() => new KvBlockPool({ ...spec, dtype: 'i8' as never }), { message: /dtype/ });
  pool.free();
  await t.throwsAsync(pool.gather([1]), { message: /freed/ });
});

// Hardware decides which of the next two runs; the other is skipped saying why.
(gpuPresent ? test.skip : test)(`device pools fail clearly without a GPU${gpuPresent ? ` (skipped: ${gpuReason})` : ''}`, (t) => {
  const err = t.throws(() => new KvBlockPool({ ...spec, device: 0 }), { instanceOf: NativeError });
  // The message says what is missing: a CUDA build, or a visible device (with the runtime's reason).
  t.regex(err!.message, deviceInfo().compiledWithCuda ? /GPU 0 not available \(0 visible; .+\)/ : /built without CUDA.*npm run build:native/);
});

(gpuPresent ? test : test.skip)(`device pools keep blocks on the GPU: scatter, gather and copy round-trip${gpuPresent ? '' : ` (skipped: ${noGpuReason})`}`, async (t) => {
  const a = new KvBlockPool({ ...spec, device: 0 });
  const b = new KvBlockPool({ ...spec, device: 0 });
  const host = new KvBlockPool(spec);
  try {
    const data = randomBytes(a.stagingBytes(3));
    await a.scatter([4, 9, 30], data);
    t.true(Buffer.from(await a.gather([4, 9, 30])).equals(data));
    await a.copyTo(b, [4, 9, 30], [0, 1, 2]);
    t.true(Buffer.from(await b.gather([0, 1, 2])).equals(data));
    await a.copyTo(host, [4, 9, 30], [5, 6, 7]);
    t.true(Buffer.from(await host.gather([5, 6, 7])).equals(data), 'device → host copy');
    t.true(Buffer.from(await a.gather([0, 1])).every((x) => x === 0), 'untouched blocks stay zero');
  } finally {
    a.free();
    b.free();
    host.free();
  }
});
