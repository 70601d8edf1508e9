// Validates a step's sequences and packs them into the flat int32 arrays the addon takes.
import type { ForwardSequence } from './types.ts';
import { invalid } from './validate.ts';

export interface PackedBatch {
  tokens: Int32Array;
  seqs: Int32Array;
  blockTables: Int32Array;
  blockOffsets: Int32Array;
  rows: number[];
}

export interface BatchLimits {
  vocabSize: number;
  blockSize: number;
  numBlocks: number;
}

function int(field: string, v: unknown, min: number, maxExclusive: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v >= maxExclusive) {
    throw invalid(`${field} = ${String(v)}; expected an integer in [${min}, ${maxExclusive})`);
  }
  return v;
}

export function packBatch(batch: readonly ForwardSequence[], lim: BatchLimits): PackedBatch {
  if (!Array.isArray(batch) || batch.length === 0) throw invalid('batch must be a non-empty array of sequences');
  let totalTokens = 0;
  let totalBlocks = 0;
  for (const [i, s] of batch.entries()) {
    const n = s?.tokens?.length;
    if (typeof n !== 'number' || n < 1) throw invalid(`batch[${i}].tokens has ${String(n)} tokens; expected at least 1`);
    if (typeof s.blockTable?.length !== 'number') throw invalid(`batch[${i}].blockTable must be an array of block ids`);
    if (typeof s.wantLogits !== 'boolean') throw invalid(`batch[${i}].wantLogits = ${String(s.wantLogits)}; expected a boolean`);
    int(`batch[${i}].startPos`, s.startPos, 0, 2 ** 31 - 1);
    const needed = Math.ceil((s.startPos + n) / lim.blockSize);
    if (s.blockTable.length < needed) {
      throw invalid(`batch[${i}].blockTable has ${s.blockTable.length} blocks; positions 0..${s.startPos + n - 1} need ${needed} (block size ${lim.blockSize})`);
    }
    totalTokens += n;
    totalBlocks += s.blockTable.length;
  }
  const tokens = new Int32Array(totalTokens);
  const seqs = new Int32Array(batch.length * 4);
  const blockTables = new Int32Array(totalBlocks);
  const blockOffsets = new Int32Array(batch.length + 1);
  const rows: number[] = [];
  let t = 0;
  let b = 0;
  for (const [i, s] of batch.entries()) {
    seqs.set([t, s.tokens.length, s.startPos, s.wantLogits ? 1 : 0], i * 4);
    for (let k = 0; k < s.tokens.length; k++) tokens[t++] = int(`batch[${i}].tokens[${k}]`, s.tokens[k], 0, lim.vocabSize);
    blockOffsets[i] = b;
    for (let k = 0; k < s.blockTable.length; k++) blockTables[b++] = int(`batch[${i}].blockTable[${k}]`, s.blockTable[k], 0, lim.numBlocks);
    if (s.wantLogits) rows.push(i);
  }
  blockOffsets[batch.length] = b;
  return { tokens, seqs, blockTables, blockOffsets, rows };
}
