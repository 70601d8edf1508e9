import { csvHasColumn, forEachCsvRecord } from './csv.ts';
import { parseTime, parseTokens } from './fields.ts';
import type { Parsed, RawRow } from './pipeline.ts';

/**
 * Vidur's trace-replay CSV (`arrived_at` seconds, `num_prefill_tokens`, `num_decode_tokens`)
 * and the length-only CSVs of Vidur/Sarathi/etalon (`num_prefill_tokens, num_decode_tokens,
 * num_total_tokens, pd_ratio`). Extra columns are ignored.
 */
export function parseVidurCsv(text: string, file: string, withArrivals: boolean): Parsed {
  const required = withArrivals ? ['arrived_at', 'num_prefill_tokens', 'num_decode_tokens'] : ['num_prefill_tokens', 'num_decode_tokens'];
  const rows: RawRow[] = [];
  forEachCsvRecord(text, file, required, (rec) => {
    const where = { file, line: rec.line };
    const lengths = {
      prompt_tokens: parseTokens(rec.get('num_prefill_tokens'), where, 'num_prefill_tokens'),
      output_tokens: parseTokens(rec.get('num_decode_tokens'), where, 'num_decode_tokens'),
      line: rec.line,
    };
    rows.push(withArrivals ? { time_s: parseTime(rec.get('arrived_at'), where, 'arrived_at', 'seconds'), ...lengths } : lengths);
  });
  return { rows, dropped: {} };
}

/** True when a length CSV also carries Vidur's `arrived_at` column. */
export function hasVidurArrivals(text: string): boolean {
  return csvHasColumn(text, 'arrived_at');
}
