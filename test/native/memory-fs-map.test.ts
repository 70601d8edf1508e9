// A checkpoint on a memory file system (the node agent's DRAM tier on /dev/shm) is mapped into
// the host image instead of read: the same bytes as a read, CRC-checked, copy-on-write (writing
// to the image never changes the file), and `mapMemoryFs: false` reads as before.
import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { loadAddon, loadCheckpoint, writeCheckpoint, type TensorInput } from '../../backend/native/index.ts';
import { randomBytes } from './helpers.ts';

const hasMap = typeof loadAddon().mapFiles === 'function';

test('a tmpfs checkpoint is mapped: identical to a read, verified, and writes stay private', async (t) => {
  if (!hasMap) {
    t.pass('this addon build has no mapFiles (rebuild: npm run build:native)');
    return;
  }
  const dir = await mkdtemp('/dev/shm/fleetlab-map-test-');
  try {
    const sizes = [1, 4095, 4097, 333_333, 1 << 20, 65_537, 7];
    const inputs: TensorInput[] = sizes.map((n, i) => ({ name: `t${i}`, dtype: 'u8' as const, shape: [n], data: randomBytes(n) }));
    const ck = path.join(dir, 'ck');
    const index = await writeCheckpoint(ck, inputs, { partitionBytes: 1 << 20 });
    t.true(index.partitions.length >= 2);
    const mapped = await loadCheckpoint(ck);
    const read = await loadCheckpoint(ck, { mapMemoryFs: false });
    t.is(mapped.ioMode, 'mmap');
    t.not(read.ioMode, 'mmap');
    t.true(mapped.stages.some((s) => s.stage.includes('mapped')), mapped.stages.map((s) => s.stage).join(', '));
    t.true(mapped.stages.some((s) => s.stage === 'verify CRC-32'), 'the mapped image is CRC-checked as a read one');
    t.true(mapped.host!.equals(read.host!), 'the mapped image equals the read image byte for byte');
    for (const inp of inputs) {
      const v = mapped.tensors.get(inp.name)!;
      t.true(mapped.host!.subarray(v.offset, v.offset + v.size).equals(inp.data as Buffer), inp.name);
    }
    const first = index.partitions[0]!;
    const before = await readFile(path.join(ck, first.file));
    mapped.host![0] = (mapped.host![0]! + 1) & 0xff;
    t.true((await readFile(path.join(ck, first.file))).equals(before), 'a write to the image does not reach the file (MAP_PRIVATE)');
    mapped.release();
    read.release();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
