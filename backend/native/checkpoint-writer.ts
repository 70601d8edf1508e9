// Writes checkpoints: tensors packed into partition files (256-byte aligned offsets, files
// padded to 4 KiB, a size cap per partition), every write checked, published atomically.
import { open, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import path from 'node:path';
import {
  FILE_ALIGNMENT, FORMAT, FORMAT_VERSION, INDEX_FILE, TENSOR_ALIGNMENT, alignUp, validateIndex,
  validateTensorName, type CheckpointIndex, type TensorEntry,
} from './checkpoint-index.ts';
import { isDtype, tensorBytes, type Dtype } from './dtype.ts';
import { publishDirectory } from './atomic-dir.ts';
import { CheckpointError } from './errors.ts';

/** Bytes that live in another file (used by the safetensors converter to avoid loading them). */
export interface FileRange {
  file: string;
  offset: number;
  size: number;
}

export interface TensorInput {
  name: string;
  dtype: Dtype;
  shape: readonly number[];
  data: Uint8Array | FileRange;
}

export interface WriteOptions {
  /** Start a new partition when the next tensor would push the current one past this (default 4 GiB). */
  partitionBytes?: number;
  overwrite?: boolean;
}

export const DEFAULT_PARTITION_BYTES = 4 * 2 ** 30;
const COPY_PIECE = 16 << 20;
const ZEROS = Buffer.alloc(Math.max(FILE_ALIGNMENT, TENSOR_ALIGNMENT));

/** Validates every input and computes the layout; throws before anything touches the disk. */
export function planCheckpoint(tensors: readonly TensorInput[], partitionBytes: number): CheckpointIndex {
  const where = '(input)';
  if (!Number.isSafeInteger(partitionBytes) || partitionBytes < FILE_ALIGNMENT) {
    throw new CheckpointError({ file: where, field: 'partitionBytes', value: partitionBytes, expected: `an integer >= ${FILE_ALIGNMENT}` });
  }
  const names = new Set<string>();
  // Null prototype: a tensor named "__proto__" is a key like any other.
  const entries = Object.create(null) as Record<string, TensorEntry>;
  const partitions: CheckpointIndex['partitions'] = [];
  let cursor = 0;
  tensors.forEach((t, i) => {
    const f = `tensors[${i}]`;
    validateTensorName(t.name, where, `${f}.name`);
    if (names.has(t.name)) throw new CheckpointError({ file: where, field: `${f}.name`, value: t.name, expected: 'a name not used by another tensor' });
    names.add(t.name);
    if (!isDtype(t.dtype)) throw new CheckpointError({ file: where, field: `${f}.dtype`, value: t.dtype, expected: 'one of f32, f16, bf16, i8, u8, i32, i64' });
    const size = tensorBytes(t.dtype, t.shape);
    if (size === undefined) throw new CheckpointError({ file: where, field: `${f}.shape`, value: t.shape, expected: 'non-negative integer dimensions with a safe-integer byte size' });
    const have = t.data instanceof Uint8Array ? t.data.byteLength : t.data.size;
    if (have !== size) throw new CheckpointError({ file: where, field: `${f}.data`, value: `${have} bytes`, expected: `${size} bytes for ${t.dtype}${JSON.stringify(t.shape)}` });
    let offset = alignUp(cursor, TENSOR_ALIGNMENT);
    if (partitions.length === 0 || (offset + size > partitionBytes && cursor > 0)) {
      if (partitions.length > 0) partitions[partitions.length - 1]!.logicalBytes = cursor;
      partitions.push({ file: `part-${String(partitions.length).padStart(5, '0')}.bin`, logicalBytes: 0, fileBytes: 0 });
      offset = 0;
    }
    entries[t.name] = { partition: partitions.length - 1, offset, size, shape: [...t.shape], dtype: t.dtype };
    cursor = offset + size;
  });
  if (partitions.length === 0) partitions.push({ file: 'part-00000.bin', logicalBytes: 0, fileBytes: 0 });
  partitions[partitions.length - 1]!.logicalBytes = cursor;
  for (const p of partitions) p.fileBytes = alignUp(p.logicalBytes, FILE_ALIGNMENT);
  const index: CheckpointIndex = {
    format: FORMAT, version: FORMAT_VERSION, alignment: TENSOR_ALIGNMENT, fileAlignment: FILE_ALIGNMENT,
    partitions, tensors: entries,
  };
  return validateIndex(index, where); // the writer never emits what the loader would refuse
}

/** Running zlib CRC-32 of what has been written to one partition, in file order. */
interface Crc {
  value: number;
}

async function writeAll(fh: FileHandle, file: string, buf: Uint8Array, position: number, crc?: Crc): Promise<void> {
  // Writes of a partition go in increasing position with no gaps, so this is the file's CRC.
  if (crc) crc.value = crc32(buf, crc.value);
  let done = 0;
  while (done < buf.byteLength) {
    const { bytesWritten } = await fh.write(buf, done, buf.byteLength - done, position + done);
    if (bytesWritten <= 0) throw new CheckpointError({ file, field: '(write)', value: bytesWritten, expected: `${buf.byteLength - done} more bytes at offset ${position + done}` });
    done += bytesWritten;
  }
}

async function writeZeros(fh: FileHandle, file: string, count: number, position: number, crc?: Crc): Promise<void> {
  for (let done = 0; done < count; done += ZEROS.length) {
    await writeAll(fh, file, ZEROS.subarray(0, Math.min(ZEROS.length, count - done)), position + done, crc);
  }
}

async function copyRange(fh: FileHandle, file: string, src: FileRange, position: number, crc?: Crc): Promise<void> {
  const input = await open(src.file, 'r');
  try {
    const piece = Buffer.allocUnsafe(Math.min(COPY_PIECE, Math.max(src.size, 1)));
    for (let done = 0; done < src.size;) {
      const want = Math.min(piece.length, src.size - done);
      const { bytesRead } = await input.read(piece, 0, want, src.offset + done);
      if (bytesRead <= 0) throw new CheckpointError({ file: src.file, field: '(read)', value: src.offset + done, expected: `${src.size} bytes from offset ${src.offset} (source truncated?)` });
      await writeAll(fh, file, piece.subarray(0, bytesRead), position + done, crc);
      done += bytesRead;
    }
  } finally {
    await input.close();
  }
}

export async function writeCheckpoint(dir: string, tensors: readonly TensorInput[], opts: WriteOptions = {}): Promise<CheckpointIndex> {
  const index = planCheckpoint(tensors, opts.partitionBytes ?? DEFAULT_PARTITION_BYTES);
  await publishDirectory(dir, async (tmp) => {
    const handles = await Promise.all(index.partitions.map((p) => open(path.join(tmp, p.file), 'wx')));
    try {
      const cursors = index.partitions.map(() => 0);
      const crcs: Crc[] = index.partitions.map(() => ({ value: 0 }));
      for (const t of tensors) {
        const e = index.tensors[t.name]!;
        const file = path.join(tmp, index.partitions[e.partition]!.file);
        const fh = handles[e.partition]!;
        const crc = crcs[e.partition]!;
        await writeZeros(fh, file, e.offset - cursors[e.partition]!, cursors[e.partition]!, crc);
        if (t.data instanceof Uint8Array) await writeAll(fh, file, t.data, e.offset, crc);
        else await copyRange(fh, file, t.data, e.offset, crc);
        cursors[e.partition] = e.offset + e.size;
      }
      for (const [i, p] of index.partitions.entries()) {
        const file = path.join(tmp, p.file);
        await writeZeros(handles[i]!, file, p.fileBytes - cursors[i]!, cursors[i]!, crcs[i]!);
        await handles[i]!.sync();
        p.crc32 = crcs[i]!.value >>> 0;
      }
    } finally {
      await Promise.all(handles.map((h) => h.close()));
    }
    const idxFile = path.join(tmp, INDEX_FILE);
    const fh = await open(idxFile, 'wx');
    try {
      await writeAll(fh, idxFile, Buffer.from(`${JSON.stringify(index, null, 1)}\n`), 0);
      await fh.sync();
    } finally {
      await fh.close();
    }
  }, opts.overwrite === undefined ? {} : { overwrite: opts.overwrite });
  return index;
}
