import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { ConfigError } from '../errors.ts';

/** One data row of a profile, with its line number for errors. */
export interface ProfileRow {
  readonly line: number;
  readonly cells: Readonly<Record<string, string>>;
}

/**
 * Reads a profile CSV and checks its header once: a file of another format is reported as
 * "file: Expected header with columns a, b, c, received header x, y (missing: a)", naming what
 * was found and what was expected, instead of one error per row about an undefined cell.
 * `option` names the config field that pointed at the file.
 */
export function readProfileCsv(file: string, option: string, expected: readonly string[], format: string): ProfileRow[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw ConfigError.single(option, `a readable ${format} CSV file`, file, { cause });
  }
  let records: string[][];
  try {
    records = parse(text, { skip_empty_lines: true, trim: true, relax_column_count: false });
  } catch (cause) {
    throw ConfigError.single(option, `a well-formed ${format} CSV file`, `${file} (${(cause as Error).message})`, { cause });
  }
  const header = records[0];
  if (header === undefined) throw ConfigError.single(option, `a ${format} CSV file with header ${expected.join(',')}`, `${file} (empty)`);
  const missing = expected.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    const shown = header.length > 8 ? `${header.slice(0, 8).join(',')},… (${header.length} columns)` : header.join(',');
    const hint = recognise(header);
    throw new ConfigError(
      [{ option: 'header', expected: `the ${format} columns ${expected.join(',')} (missing: ${missing.join(',')})`, received: `${JSON.stringify(shown)}${hint === undefined ? '' : `; ${hint}`}` }],
      { source: `${file}:1` },
    );
  }
  const rows: ProfileRow[] = [];
  for (let i = 1; i < records.length; i++) {
    const record = records[i] as string[];
    const cells: Record<string, string> = {};
    header.forEach((name, j) => {
      cells[name] = record[j] ?? '';
    });
    rows.push({ line: i + 1, cells });
  }
  return rows;
}

/** A cell that must be a finite number ≥ 0; errors name file, line and column. */
export function numberCell(file: string, row: ProfileRow, column: string): number {
  const text = row.cells[column];
  const value = Number(text);
  if (text === undefined || text === '' || !Number.isFinite(value) || value < 0) {
    throw ConfigError.single(column, 'a finite number >= 0', text, { source: `${file}:${row.line}` });
  }
  return value;
}

/** Names the profile format a header belongs to, so a file given to the wrong kind says which kind reads it. */
function recognise(header: readonly string[]): string | undefined {
  const has = (c: string): boolean => header.includes(c);
  if (has('time_stats.attn_prefill.median') || has('time_stats.attn_decode.median')) return 'this is a Vidur attention profile: use it as perf.attention of perf: {kind: vidur}';
  if (has('time_stats.mlp_up_proj.median')) return 'this is a Vidur mlp profile: use it as perf.mlp of perf: {kind: vidur}';
  if (has('time_stats.all_reduce.median')) return 'this is a Vidur all_reduce profile: use it as perf.all_reduce of perf: {kind: vidur}';
  if (has('prefill_chunk') && has('n_decode')) return "this is LLMServingSim's attention.csv: give its folder as perf.dir of perf: {kind: llmservingsim}";
  if (has('layer') && (has('tokens') || has('sequences')) && has('time_us')) return "this is an LLMServingSim layer table: give its folder as perf.dir of perf: {kind: llmservingsim}";
  if (has('layer_name') && has('latency(ns)')) return "this is LLMServingSim's older v0 layers.csv (attention only at kv 0), which fleetlab does not read";
  if (has('phase') && has('latency_ms')) return 'this is a fleetlab step table: use perf: {kind: table, file}';
  return undefined;
}
