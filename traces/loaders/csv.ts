import { parse } from 'csv-parse/sync';
import { TraceError } from '../errors.ts';

/** One CSV data row as column name → raw string, with the file line it started on. */
export interface CsvRecord {
  readonly line: number;
  readonly get: (column: string) => string;
}

/**
 * Reads a whole CSV text with a header row and checks the required columns exist. The sync
 * parser is fine for the shipped files (≤ 1 MB); a 1.4 M-row BurstGPT file is ~50 MB of text
 * and still parses, but `csv-parse`'s streaming API would be the way to keep memory flat.
 */
export function readCsv(text: string, file: string, required: readonly string[]): CsvRecord[] {
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(text, { info: true, skip_empty_lines: true, bom: true }) as unknown as typeof rows;
  } catch (cause) {
    const lines = (cause as { lines?: number }).lines;
    throw new TraceError(
      { file, ...(lines === undefined ? {} : { line: lines }), expected: `well-formed CSV (${(cause as Error).message})` },
      { cause },
    );
  }
  const header = rows[0];
  if (!header) throw new TraceError({ file, line: 1, expected: `a header row with columns ${required.join(', ')}` });
  const index = new Map<string, number>();
  header.record.forEach((name, i) => index.set(name.trim(), i));
  for (const column of required) {
    if (!index.has(column)) {
      throw new TraceError({ file, line: 1, field: column, value: header.record.join(','), expected: `a header with column "${column}"` });
    }
  }
  return rows.slice(1).map(({ record, info }) => ({
    line: info.lines,
    get: (column: string) => {
      const i = index.get(column);
      const cell = i === undefined ? undefined : record[i];
      if (cell === undefined) throw new TraceError({ file, line: info.lines, field: column, expected: 'a value in this column' });
      return cell;
    },
  }));
}

/** True when the header (first line) names this column; for formats with optional columns. */
export function csvHasColumn(text: string, column: string): boolean {
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  return firstLine.split(',').some((name) => name.trim().replace(/^"|"$/g, '') === column);
}
