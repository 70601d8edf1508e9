import { forEachCsvRecord } from './csv.ts';
import { parseAzureTimestamp, secondsBetween, type WallClock } from './azure-time.ts';
import { parseTokens } from './fields.ts';
import type { Parsed, RawRow } from './pipeline.ts';

/**
 * Azure LLM inference trace 2023 (`TIMESTAMP, ContextTokens, GeneratedTokens`). Wall-clock
 * stamps become seconds after the earliest stamp in the file, which makes the result line up
 * with Vidur's rebased copy of the same requests.
 */
export function parseAzureCsv(text: string, file: string): Parsed {
  const stamps: WallClock[] = [];
  const rows: { prompt_tokens: number; output_tokens: number; line: number }[] = [];
  forEachCsvRecord(text, file, ['TIMESTAMP', 'ContextTokens', 'GeneratedTokens'], (rec) => {
    const where = { file, line: rec.line };
    stamps.push(parseAzureTimestamp(rec.get('TIMESTAMP'), where, 'TIMESTAMP'));
    rows.push({
      prompt_tokens: parseTokens(rec.get('ContextTokens'), where, 'ContextTokens'),
      output_tokens: parseTokens(rec.get('GeneratedTokens'), where, 'GeneratedTokens'),
      line: rec.line,
    });
  });
  let earliest = stamps[0];
  for (const s of stamps) if (earliest && secondsBetween(earliest, s) < 0) earliest = s;
  const timed = rows.map((row, i): RawRow => {
    const stamp = stamps[i];
    return earliest && stamp ? { time_s: secondsBetween(earliest, stamp), ...row } : row;
  });
  return { rows: timed, dropped: {} };
}
