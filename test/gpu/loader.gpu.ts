// GPU tests: run with `npm run test:gpu`. They skip, saying why, when no device is visible.
import test from 'ava';
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { randomFillSync } from 'node:crypto';
import { DramCache, KvBlockPool, deviceInfo, loadCheckpoint, writeCheckpoint } from '../../backend/native/index.ts';

const info = deviceInfo();
const gpu = info.devices.length > 0 ? test : test.skip;
if (info.devices.length === 0) console.log(`GPU tests skipped: no CUDA device visible (${info.note || 'no reason given'})`);

const rand = (n: number) => randomFillSync(Buffer.allocUnsafe(n));

gpu('checkpoint loads into one device allocation, cold and from DRAM', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fleetlab-gpu-'));
  try {
    const a = rand(10_000_003);
    const b = rand(4096 * 3 + 2);
    await writeCheckpoint(path.join(dir, 'ck'), [{ name: 'a', dtype: 'u8', shape: [a.length], data: a }, { name: 'b', dtype: 'f16', shape: [b.length / 2], data: b }], { partitionBytes: 1 << 20 });
    const cache = new DramCache(64 << 20);
    for (const opts of [{ target: { device: 0 } }, { target: { device: 0 }, cache }, { target: { device: 0 }, cache }]) {
      const r = await loadCheckpoint(path.join(dir, 'ck'), { ...opts, chunkBytes: 1 << 20 });
      for (const [name, data] of [['a', a], ['b', b]] as const) {
        const v = r.tensors.get(name)!;
        t.is(v.offset % 256, 0);
        const out = Buffer.alloc(v.size);
        await r.device!.download(v.offset, out);
        t.true(out.equals(data), `${name} via ${r.source}`);
      }
      r.release();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

gpu('device KV pools: gather/scatter/copy on the device and across host', async (t) => {
  const spec = { numLayers: 2, numBlocks: 64, blockSize: 16, numKvHeads: 4, headDim: 64, dtype: 'f16' as const };
  const d0 = new KvBlockPool({ ...spec, device: 0 });
  const d1 = new KvBlockPool({ ...spec, device: info.devices.length > 1 ? 1 : 0 });
  const host = new KvBlockPool(spec);
  const data = rand(d0.stagingBytes(5));
  await d0.scatter([1, 9, 3, 60, 7], data);
  t.true(Buffer.from(await d0.gather([1, 9, 3, 60, 7])).equals(data));
  await d0.copyTo(d1, [1, 9, 3, 60, 7], [0, 1, 2, 3, 4]);
  t.true(Buffer.from(await d1.gather([0, 1, 2, 3, 4])).equals(data));
  await d1.copyTo(host, [0, 1, 2, 3, 4], [5, 6, 7, 8, 9]);
  t.true(Buffer.from(await host.gather([5, 6, 7, 8, 9])).equals(data));
});
