import { TraceError } from '../errors.ts';
import { jsonlObjects } from './jsonl.ts';
import { parseTime, parseTokens } from './fields.ts';
import type { Parsed, RawRow } from './pipeline.ts';

/**
 * Mooncake / Alibaba timed traces: one JSON object per line with `timestamp` (ms after the
 * trace start), `input_length`, `output_length` and optional `hash_ids` (one id per 512-token
 * prefix block; equal ids mark shareable prefix KV). Blank lines are skipped.
 */
export function parseMooncakeJsonl(text: string, file: string): Parsed {
  const rows: RawRow[] = [];
  for (const { line, rec } of jsonlObjects(text, file)) {
    const where = { file, line };
    const row: RawRow = {
      time_s: parseTime(rec['timestamp'], where, 'timestamp', 'milliseconds') / 1000,
      prompt_tokens: parseTokens(rec['input_length'], where, 'input_length'),
      output_tokens: parseTokens(rec['output_length'], where, 'output_length'),
      line,
    };
    const ids = rec['hash_ids'];
    if (ids === undefined) rows.push(row);
    else if (Array.isArray(ids) && ids.every((id) => Number.isSafeInteger(id))) rows.push({ ...row, hash_ids: ids as number[] });
    else throw new TraceError({ file, line, field: 'hash_ids', value: ids, expected: 'an array of integers' });
  }
  return { rows, dropped: {} };
}
