// The checkpoint index (index.json): schema, semantic checks and reading. A checkpoint is a
// directory of partition files plus this index; nothing is trusted until every field passes.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { DTYPES, tensorBytes } from './dtype.ts';
import { CheckpointError } from './errors.ts';

export const INDEX_FILE = 'index.json';
export const FORMAT = 'fleetlab-checkpoint';
export const FORMAT_VERSION = 1;
/** Every tensor offset is a multiple of this (GPU-friendly views, vectorised loads). */
export const TENSOR_ALIGNMENT = 256;
/** Partition files are padded to this so every O_DIRECT read is block-aligned. */
export const FILE_ALIGNMENT = 4096;
export const PARTITION_FILE = /^part-\d{5}\.bin$/;
const MAX_INDEX_BYTES = 64 << 20;

const safeInt = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const tensorEntrySchema = z.strictObject({
  partition: safeInt,
  offset: safeInt,
  size: safeInt,
  shape: z.array(safeInt).max(16),
  dtype: z.enum(DTYPES as [string, ...string[]]),
});

export const checkpointIndexSchema = z.strictObject({
  format: z.literal(FORMAT),
  version: z.literal(FORMAT_VERSION),
  alignment: z.literal(TENSOR_ALIGNMENT),
  fileAlignment: z.literal(FILE_ALIGNMENT),
  partitions: z
    .array(
      z.strictObject({
        file: z.string(),
        logicalBytes: safeInt,
        fileBytes: safeInt,
        /** zlib CRC-32 of the whole partition file (padding included); absent in older checkpoints. */
        crc32: z.number().int().min(0).max(0xffffffff).optional(),
      }),
    )
    .min(1),
  // Entries are checked one by one in validateIndex: zod's record drops a key named
  // "__proto__", and a tensor may legitimately be called that.
  tensors: z.custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'an object mapping tensor names to entries'),
});

export type TensorEntry = z.infer<typeof tensorEntrySchema> & { dtype: (typeof DTYPES)[number] };
export interface CheckpointIndex extends Omit<z.infer<typeof checkpointIndexSchema>, 'tensors'> {
  tensors: Record<string, TensorEntry>;
}

export function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

export function validateTensorName(name: string, file: string, field: string): void {
  if (name.length === 0 || name.length > 1024 || /[/\\\0]/.test(name) || name === '.' || name === '..') {
    throw new CheckpointError({
      file, field, value: name,
      expected: 'a non-empty tensor name of at most 1024 characters without "/", "\\" or NUL',
    });
  }
}

/** Each tensor entry, validated, in a null-prototype object (any tensor name is a plain key). */
function tensorEntries(raw: Record<string, unknown>, file: string): Record<string, TensorEntry> {
  const out = Object.create(null) as Record<string, TensorEntry>;
  for (const name of Object.keys(raw)) {
    const entry = tensorEntrySchema.safeParse(raw[name]);
    if (!entry.success) {
      const issue = entry.error.issues[0]!;
      const field = ['tensors', name, ...issue.path].map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
      let value: unknown = raw[name];
      for (const p of issue.path) value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[p as PropertyKey] : undefined;
      throw new CheckpointError({ file, field, value, expected: issue.message }, { cause: entry.error });
    }
    out[name] = entry.data as TensorEntry;
  }
  return out;
}

/** Checks the parsed JSON: schema first, then everything the schema cannot express. */
export function validateIndex(raw: unknown, file: string): CheckpointIndex {
  const parsed = checkpointIndexSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : '(root)';
    let value: unknown = raw;
    for (const p of issue.path) value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[p as PropertyKey] : undefined;
    throw new CheckpointError({ file, field, value, expected: issue.message }, { cause: parsed.error });
  }
  const index = { ...parsed.data, tensors: tensorEntries(parsed.data.tensors, file) } as CheckpointIndex;
  const seenFiles = new Set<string>();
  index.partitions.forEach((p, i) => {
    const f = `partitions[${i}]`;
    if (!PARTITION_FILE.test(p.file) || seenFiles.has(p.file)) {
      throw new CheckpointError({ file, field: `${f}.file`, value: p.file, expected: 'a unique name like "part-00000.bin" (no path separators)' });
    }
    seenFiles.add(p.file);
    if (p.fileBytes % FILE_ALIGNMENT !== 0 || p.fileBytes < p.logicalBytes || p.fileBytes - p.logicalBytes >= FILE_ALIGNMENT) {
      throw new CheckpointError({ file, field: `${f}.fileBytes`, value: p.fileBytes, expected: `logicalBytes (${p.logicalBytes}) rounded up to a multiple of ${FILE_ALIGNMENT}` });
    }
  });
  const spans = index.partitions.map(() => [] as Array<[number, number, string]>);
  for (const [name, t] of Object.entries(index.tensors)) {
    const f = `tensors[${JSON.stringify(name)}]`;
    validateTensorName(name, file, f);
    const part = index.partitions[t.partition];
    if (!part) throw new CheckpointError({ file, field: `${f}.partition`, value: t.partition, expected: `an index below ${index.partitions.length}` });
    if (t.offset % TENSOR_ALIGNMENT !== 0) throw new CheckpointError({ file, field: `${f}.offset`, value: t.offset, expected: `a multiple of ${TENSOR_ALIGNMENT}` });
    const bytes = tensorBytes(t.dtype, t.shape);
    if (bytes !== t.size) throw new CheckpointError({ file, field: `${f}.size`, value: t.size, expected: `${String(bytes)} (product of shape ${JSON.stringify(t.shape)} × ${t.dtype} size)` });
    if (t.offset + t.size > part.logicalBytes) {
      throw new CheckpointError({ file, field: `${f}.offset`, value: t.offset, expected: `offset + size (${t.size}) within partition ${t.partition}'s ${part.logicalBytes} logical bytes` });
    }
    spans[t.partition]!.push([t.offset, t.offset + t.size, name]);
  }
  spans.forEach((list, p) => {
    list.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < list.length; i++) {
      const prev = list[i - 1]!;
      const cur = list[i]!;
      if (cur[0] < prev[1]) throw new CheckpointError({ file, field: `tensors[${JSON.stringify(cur[2])}].offset`, value: cur[0], expected: `no overlap with ${JSON.stringify(prev[2])} (ends at ${prev[1]}) in partition ${p}` });
    }
  });
  return index;
}

/** Reads and validates index.json, and checks each partition file's size on disk. */
export async function readCheckpointIndex(dir: string): Promise<CheckpointIndex> {
  const file = path.join(dir, INDEX_FILE);
  let text: string;
  try {
    const st = await stat(file);
    // A FIFO or device would block the read forever (its size reads as 0).
    if (!st.isFile()) throw new CheckpointError({ file, field: '(file)', value: fileKind(st), expected: 'a regular file' });
    if (st.size > MAX_INDEX_BYTES) throw new CheckpointError({ file, field: '(file size)', value: st.size, expected: `at most ${MAX_INDEX_BYTES} bytes` });
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof CheckpointError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new CheckpointError({ file, field: '(file)', value: 'a symbolic link loop', expected: 'a readable index.json' }, { cause: err });
    throw new CheckpointError({ file, field: '(file)', value: code ?? String(err), expected: 'a readable index.json: is this a checkpoint directory written by writeCheckpoint()?' }, { cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CheckpointError({ file, field: '(json)', value: text.slice(0, 40), expected: 'valid JSON' }, { cause: err });
  }
  const index = validateIndex(raw, file);
  await Promise.all(index.partitions.map(async (p, i) => {
    const pf = path.join(dir, p.file);
    const st = await stat(pf).catch((err: NodeJS.ErrnoException) => err);
    if (!(st instanceof Error) && !st.isFile()) {
      throw new CheckpointError({ file: pf, field: `partitions[${i}].file`, value: fileKind(st), expected: 'a regular file (a FIFO or device would block the loader)' });
    }
    if (st instanceof Error && st.code === 'ELOOP') throw new CheckpointError({ file: pf, field: `partitions[${i}].file`, value: 'a symbolic link loop', expected: 'a regular file' });
    const size = st instanceof Error ? -1 : st.size;
    if (size !== p.fileBytes) {
      throw new CheckpointError({ file: pf, field: `partitions[${i}].fileBytes`, value: size < 0 ? 'missing file' : size, expected: `${p.fileBytes} bytes on disk (truncated or replaced partition)` });
    }
  }));
  return index;
}

function fileKind(st: import('node:fs').Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isDirectory()) return 'a directory';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}
