import test from 'ava';
import path from 'node:path';
import { readFile, writeFile, truncate, readdir } from 'node:fs/promises';
import { CheckpointError, loadCheckpoint, writeCheckpoint, readSafetensorsHeader, type CheckpointIndex } from '../../backend/native/index.ts';
import { randomBytes, tempDir } from './helpers.ts';

async function fixture(dir: string): Promise<string> {
  const ck = path.join(dir, 'ck');
  await writeCheckpoint(ck, [
    { name: 'a', dtype: 'f32', shape: [100], data: randomBytes(400) },
    { name: 'b', dtype: 'u8', shape: [5000], data: randomBytes(5000) },
  ], { partitionBytes: 4096 });
  return ck;
}

async function mutate(ck: string, f: (idx: CheckpointIndex & Record<string, unknown>) => void): Promise<void> {
  const file = path.join(ck, 'index.json');
  const idx = JSON.parse(await readFile(file, 'utf8'));
  f(idx);
  await writeFile(file, JSON.stringify(idx));
}

const cases: Array<[string, (idx: any) => void, RegExp]> = [
  ['offset outside the partition', (i) => { i.tensors.a.offset = 1 << 20; }, /tensors\["a"\]\.offset = 1048576; expected offset \+ size/],
  ['unaligned offset', (i) => { i.tensors.b.offset = 8; }, /tensors\["b"\]\.offset = 8; expected a multiple of 256/],
  ['name with a path separator', (i) => { i.tensors['../etc/passwd'] = i.tensors.a; delete i.tensors.a; }, /tensors\["..\/etc\/passwd"\] = "..\/etc\/passwd"; expected a non-empty tensor name/],
  ['partition file with a path', (i) => { i.partitions[0].file = '../../x.bin'; }, /partitions\[0\]\.file = "..\/..\/x.bin"/],
  ['huge size', (i) => { i.tensors.a.size = 2 ** 60; }, /tensors\.a\.size = 1152921504606847\d*; expected .*<=9007199254740991/],
  ['size not matching shape', (i) => { i.tensors.a.size = 404; }, /tensors\["a"\]\.size = 404; expected 400/],
  ['bad dtype', (i) => { i.tensors.a.dtype = 'complex128'; }, /tensors\.a\.dtype = "complex128"; expected/],
  ['negative shape', (i) => { i.tensors.a.shape = [-1, -400]; }, /tensors\.a\.shape\[0\] = -1/],
  ['partition index out of range', (i) => { i.tensors.a.partition = 7; }, /tensors\["a"\]\.partition = 7; expected an index below/],
  ['fileBytes not padded', (i) => { i.partitions[0].fileBytes = 1000; }, /partitions\[0\]\.fileBytes = 1000/],
  ['unknown format', (i) => { i.format = 'sllm'; }, /format = "sllm"/],
  ['extra field', (i) => { i.tensors.a.stride = [1]; }, /tensors\.a/],
  ['overlapping tensors', (i) => { i.tensors.c = { ...i.tensors.a }; }, /no overlap/],
];

for (const [name, f, re] of cases) {
  test(`hostile index: ${name} -> CheckpointError naming the field`, async (t) => {
    const { dir, cleanup } = await tempDir();
    try {
      const ck = await fixture(dir);
      await mutate(ck, f);
      const err = await t.throwsAsync(loadCheckpoint(ck), { instanceOf: CheckpointError });
      t.regex(err!.message, re);
      t.true(err!.message.includes('index.json'));
    } finally {
      await cleanup();
    }
  });
}

test('truncated partition, corrupted JSON and missing index give clear errors', async (t) => {
  const { dir, cleanup } = await tempDir();
  try {
    const ck = await fixture(dir);
    const idx = JSON.parse(await readFile(path.join(ck, 'index.json'), 'utf8')) as CheckpointIndex;
    await truncate(path.join(ck, idx.partitions[1]!.file), 100);
    await t.throwsAsync(loadCheckpoint(ck), { instanceOf: CheckpointError, message: /part-00001\.bin: partitions\[1\]\.fileBytes = 100; expected 8192 bytes on disk/ });
    await writeFile(path.join(ck, 'index.json'), '{"format": ');
    await t.throwsAsync(loadCheckpoint(ck), { instanceOf: CheckpointError, message: /\(json\).*expected valid JSON/ });
    await t.throwsAsync(loadCheckpoint(path.join(dir, 'nope')), { instanceOf: CheckpointError, message: /ENOENT.*readable index\.json/ });
  } finally {
    await cleanup();
  }
});

test('writer refuses bad input before writing anything', async (t) => {
  const { dir, cleanup } = await tempDir();
  try {
    const ck = path.join(dir, 'ck');
    await t.throwsAsync(writeCheckpoint(ck, [{ name: 'a/b', dtype: 'u8', shape: [1], data: Buffer.alloc(1) }]), { instanceOf: CheckpointError, message: /tensors\[0\]\.name = "a\/b"/ });
    await t.throwsAsync(writeCheckpoint(ck, [{ name: 'a', dtype: 'f64' as never, shape: [1], data: Buffer.alloc(8) }]), { message: /tensors\[0\]\.dtype = "f64"/ });
    await t.throwsAsync(writeCheckpoint(ck, [{ name: 'a', dtype: 'f32', shape: [3], data: Buffer.alloc(8) }]), { message: /tensors\[0\]\.data = "8 bytes"; expected 12 bytes/ });
    await t.throwsAsync(writeCheckpoint(ck, [{ name: 'a', dtype: 'u8', shape: [1], data: Buffer.alloc(1) }, { name: 'a', dtype: 'u8', shape: [1], data: Buffer.alloc(1) }]), { message: /tensors\[1\]\.name = "a"/ });
    t.deepEqual(await readdir(dir), []);
  } finally {
    await cleanup();
  }
});

test('hostile safetensors headers', async (t) => {
  const { dir, cleanup } = await tempDir();
  try {
    const write = async (header: unknown, dataBytes: number, lenOverride?: bigint) => {
      const json = Buffer.from(JSON.stringify(header));
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(lenOverride ?? BigInt(json.length));
      const f = path.join(dir, `m${Math.random()}.safetensors`);
      await writeFile(f, Buffer.concat([len, json, Buffer.alloc(dataBytes)]));
      return f;
    };
    await t.throwsAsync(readSafetensorsHeader(await write({}, 0, 1n << 62n)), { instanceOf: CheckpointError, message: /header length/ });
    await t.throwsAsync(readSafetensorsHeader(await write({ x: { dtype: 'F64', shape: [1], data_offsets: [0, 8] } }, 8)), { message: /\["x"\]\.dtype = "F64"/ });
    await t.throwsAsync(readSafetensorsHeader(await write({ x: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, 8)), { message: /data_offsets.*inside the 8-byte data section/ });
    await t.throwsAsync(readSafetensorsHeader(await write({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8)), { message: /a range of 12 bytes/ });
  } finally {
    await cleanup();
  }
});
