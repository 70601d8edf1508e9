import { parse } from 'csv-parse/sync';
import { TraceError } from '../errors.ts';

/** One CSV data row as column name → raw string, with the file line it started on. */
export interface CsvRecord {
  readonly line: number;
  readonly get: (column: string) => string;
}

/**
 * Calls `onRecord` for each data row of a CSV text with a header row, after checking the
 * required columns exist. Records are handed over one at a time and not kept (csv-parse's
 * `on_record` returns nothing), so memory holds the text and the caller's compact rows only:
 * a 1.4 M-row BurstGPT file no longer holds every parsed record as arrays of strings.
 */
export function forEachCsvRecord(text: string, file: string, required: readonly string[], onRecord: (rec: CsvRecord) => void): void {
  let index: Map<string, number> | undefined;
  try {
    parse(text, {
      skip_empty_lines: true,
      bom: true,
      on_record: (record: string[], context: { lines: number }) => {
        if (index === undefined) {
          index = new Map<string, number>();
          record.forEach((name, i) => index?.set(name.trim(), i));
          for (const column of required) {
            if (!index.has(column)) {
              throw new TraceError({ file, line: 1, field: column, value: record.join(','), expected: `a header with column "${column}"` });
            }
          }
          return undefined;
        }
        const columns = index;
        const line = context.lines;
        onRecord({
          line,
          get: (column: string) => {
            const i = columns.get(column);
            const cell = i === undefined ? undefined : record[i];
            if (cell === undefined) throw new TraceError({ file, line, field: column, expected: 'a value in this column' });
            return cell;
          },
        });
        return undefined;
      },
    });
  } catch (cause) {
    if (cause instanceof TraceError) throw cause;
    const lines = (cause as { lines?: number }).lines;
    throw new TraceError(
      { file, ...(lines === undefined ? {} : { line: lines }), expected: `well-formed CSV (${(cause as Error).message})` },
      { cause },
    );
  }
  if (index === undefined) throw new TraceError({ file, line: 1, expected: `a header row with columns ${required.join(', ')}` });
}

/** All records at once, for small files and tests (forEachCsvRecord keeps memory flat). */
export function readCsv(text: string, file: string, required: readonly string[]): CsvRecord[] {
  const out: CsvRecord[] = [];
  forEachCsvRecord(text, file, required, (rec) => out.push(rec));
  return out;
}

/** True when the header (first line) names this column; for formats with optional columns. */
export function csvHasColumn(text: string, column: string): boolean {
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  return firstLine.split(',').some((name) => name.trim().replace(/^"|"$/g, '') === column);
}
