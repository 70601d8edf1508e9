// safetensors: header parsing (u64 LE length + JSON), a small writer (tests and the
// benchmark's naive baseline), and the converter into our checkpoint format.
import { open, stat } from 'node:fs/promises';
import { SAFETENSORS_DTYPES, TO_SAFETENSORS, tensorBytes, type Dtype } from './dtype.ts';
import { CheckpointError } from './errors.ts';
import { writeCheckpoint, type TensorInput, type WriteOptions } from './checkpoint-writer.ts';
import type { CheckpointIndex } from './checkpoint-index.ts';

const MAX_HEADER_BYTES = 100 << 20;

export interface SafetensorsEntry {
  name: string;
  dtype: Dtype;
  shape: number[];
  /** Absolute byte range in the file. */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  file: string;
  dataStart: number;
  tensors: SafetensorsEntry[];
  metadata: Record<string, string>;
}

export async function readSafetensorsHeader(file: string): Promise<SafetensorsHeader> {
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const lenBuf = Buffer.alloc(8);
    if ((await fh.read(lenBuf, 0, 8, 0)).bytesRead !== 8) throw new CheckpointError({ file, field: 'header length', value: size, expected: 'a file of at least 8 bytes' });
    const n = Number(lenBuf.readBigUInt64LE(0));
    if (n > MAX_HEADER_BYTES || 8 + n > size) throw new CheckpointError({ file, field: 'header length', value: n, expected: `at most ${Math.min(MAX_HEADER_BYTES, size - 8)} bytes` });
    const json = Buffer.alloc(n);
    await fh.read(json, 0, n, 8);
    let raw: unknown;
    try {
      raw = JSON.parse(json.toString('utf8'));
    } catch (err) {
      throw new CheckpointError({ file, field: 'header', value: json.subarray(0, 40).toString('utf8'), expected: 'a JSON object' }, { cause: err });
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new CheckpointError({ file, field: 'header', value: raw, expected: 'a JSON object' });
    const dataStart = 8 + n;
    const tensors: SafetensorsEntry[] = [];
    let metadata: Record<string, string> = {};
    for (const [name, v] of Object.entries(raw as Record<string, unknown>)) {
      if (name === '__metadata__') {
        metadata = (v ?? {}) as Record<string, string>;
        continue;
      }
      const field = `[${JSON.stringify(name)}]`;
      const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
      const dtype = typeof e?.dtype === 'string' && Object.hasOwn(SAFETENSORS_DTYPES, e.dtype) ? SAFETENSORS_DTYPES[e.dtype] : undefined;
      if (!dtype) throw new CheckpointError({ file, field: `${field}.dtype`, value: e?.dtype, expected: `one of ${Object.keys(SAFETENSORS_DTYPES).join(', ')}` });
      const shape = e.shape;
      if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new CheckpointError({ file, field: `${field}.shape`, value: shape, expected: 'an array of non-negative integers' });
      const off = e.data_offsets;
      if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0) || off[0] > off[1]) {
        throw new CheckpointError({ file, field: `${field}.data_offsets`, value: off, expected: '[begin, end] with 0 <= begin <= end' });
      }
      const begin = dataStart + (off[0] as number);
      const end = dataStart + (off[1] as number);
      if (end > size) throw new CheckpointError({ file, field: `${field}.data_offsets`, value: off, expected: `a range inside the ${size - dataStart}-byte data section` });
      const bytes = tensorBytes(dtype, shape as number[]);
      if (bytes !== end - begin) throw new CheckpointError({ file, field: `${field}.data_offsets`, value: off, expected: `a range of ${String(bytes)} bytes for ${e.dtype as string}${JSON.stringify(shape)}` });
      tensors.push({ name, dtype, shape: shape as number[], begin, end });
    }
    tensors.sort((a, b) => a.begin - b.begin);
    return { file, dataStart, tensors, metadata };
  } finally {
    await fh.close();
  }
}

/** Writes a safetensors file (tensors packed in order, 8-byte aligned header). */
export async function writeSafetensors(file: string, tensors: ReadonlyArray<{ name: string; dtype: Dtype; shape: readonly number[]; data: Uint8Array }>): Promise<void> {
  // Null prototype: a tensor named "__proto__" is a key like any other.
  const header = Object.create(null) as Record<string, unknown>;
  let off = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: TO_SAFETENSORS[t.dtype], shape: t.shape, data_offsets: [off, off + t.data.byteLength] };
    off += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  const fh = await open(file, 'w');
  try {
    let pos = 0;
    for (const part of [len, Buffer.from(json), ...tensors.map((t) => t.data)]) {
      const { bytesWritten } = await fh.write(part, 0, part.byteLength, pos);
      if (bytesWritten !== part.byteLength) throw new CheckpointError({ file, field: '(write)', value: bytesWritten, expected: `${part.byteLength} bytes` });
      pos += bytesWritten;
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Converts one or more safetensors files (shards) into a checkpoint, streaming tensor bytes. */
export async function convertSafetensors(files: readonly string[], outDir: string, opts: WriteOptions = {}): Promise<CheckpointIndex> {
  const inputs: TensorInput[] = [];
  for (const file of files) {
    await stat(file);
    const h = await readSafetensorsHeader(file);
    for (const t of h.tensors) inputs.push({ name: t.name, dtype: t.dtype, shape: t.shape, data: { file, offset: t.begin, size: t.end - t.begin } });
  }
  return writeCheckpoint(outDir, inputs, opts);
}
