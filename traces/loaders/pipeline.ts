import { TraceError } from '../errors.ts';
import type { TraceRow, TraceSource } from './source.ts';

/** A row as a parser produced it: time on the file's own clock, in seconds. */
export interface RawRow {
  readonly time_s?: number;
  readonly prompt_tokens: number;
  readonly output_tokens: number;
  readonly model?: string;
  readonly hash_ids?: readonly number[];
  readonly line: number;
  readonly entry?: number;
}

export interface Parsed {
  readonly rows: readonly RawRow[];
  readonly dropped: Record<string, number>;
}

export function countDrop(dropped: Record<string, number>, reason: string): void {
  dropped[reason] = (dropped[reason] ?? 0) + 1;
}

type CommonOptions = Pick<
  TraceSource,
  'time_scale' | 'start_s' | 'end_s' | 'rebase' | 'max_requests' | 'zero_tokens' | 'max_total_tokens' | 'over_max_total_tokens' | 'min_prompt_tokens' | 'min_output_tokens' | 'max_prompt_tokens'
>;

/**
 * Sorts timestamped rows by time, stably (rows at the same time keep file order). Real traces
 * are not always sorted (merged logs, clock skew); replaying them in file order would schedule
 * arrivals in the past. Returns the rows and how many changed position.
 */
export function sortByTime(rows: readonly RawRow[]): { rows: readonly RawRow[]; reordered: number } {
  if (rows.length === 0 || rows.some((r) => r.time_s === undefined)) return { rows, reordered: 0 };
  let sorted = true;
  for (let i = 1; i < rows.length && sorted; i++) sorted = (rows[i - 1]?.time_s ?? 0) <= (rows[i]?.time_s ?? 0);
  if (sorted) return { rows, reordered: 0 };
  const order = rows.map((_, i) => i).sort((a, b) => (rows[a]?.time_s ?? 0) - (rows[b]?.time_s ?? 0) || a - b);
  let reordered = 0;
  order.forEach((from, to) => {
    if (from !== to) reordered++;
  });
  return { rows: order.map((i) => rows[i] as RawRow), reordered };
}

/**
 * The options every format shares, in a fixed order so results do not depend on which is
 * written first: sort by time (stable, counted) → length limits (min/max prompt, min output,
 * max_total_tokens: dropped or clipped, counted) → zero-token policy → window [start_s, end_s)
 * on the file's clock → max_requests → rebase to the earliest kept row → time_scale.
 */
export function applyCommonOptions(parsed: Parsed, file: string, opts: CommonOptions): {
  rows: TraceRow[];
  dropped: Record<string, number>;
  adjusted: Record<string, number>;
  reordered: number;
} {
  const dropped = { ...parsed.dropped };
  const adjusted: Record<string, number> = {};
  const windowed = opts.start_s !== undefined || opts.end_s !== undefined;
  const kept: RawRow[] = [];
  const { rows: inTimeOrder, reordered } = sortByTime(parsed.rows);
  for (const row of inTimeOrder) {
    const limited = applyLengthLimits(row, opts, dropped, adjusted);
    if (!limited) continue;
    const fixed = applyZeroPolicy(limited, file, opts.zero_tokens, dropped, adjusted);
    if (!fixed) continue;
    if (windowed) {
      if (fixed.time_s === undefined) {
        throw new TraceError({ file, field: 'start_s/end_s', expected: 'a format with timestamps for a time window' });
      }
      if ((opts.start_s !== undefined && fixed.time_s < opts.start_s) || (opts.end_s !== undefined && fixed.time_s >= opts.end_s)) {
        countDrop(dropped, 'outside_window');
        continue;
      }
    }
    if (opts.max_requests !== undefined && kept.length >= opts.max_requests) {
      countDrop(dropped, 'over_max_requests');
      continue;
    }
    kept.push(fixed);
  }
  // Rows are in time order, so the first kept row is the earliest.
  const origin = opts.rebase ? (kept[0]?.time_s ?? 0) : 0;
  const rows = kept.map((row): TraceRow => {
    const { time_s, entry: _entry, ...rest } = row;
    return time_s === undefined ? rest : { ...rest, arrival_s: (time_s - origin) * opts.time_scale };
  });
  return { rows, dropped, adjusted, reordered };
}

function applyZeroPolicy(
  row: RawRow,
  file: string,
  policy: CommonOptions['zero_tokens'],
  dropped: Record<string, number>,
  adjusted: Record<string, number>,
): RawRow | undefined {
  const zeroField = row.prompt_tokens === 0 ? 'prompt_tokens' : row.output_tokens === 0 ? 'output_tokens' : undefined;
  if (!zeroField) return row;
  switch (policy) {
    case 'drop':
      countDrop(dropped, `zero_${zeroField}`);
      return undefined;
    case 'error':
      throw new TraceError({
        file,
        ...(row.entry === undefined ? { line: row.line } : { entry: row.entry }),
        field: zeroField,
        value: 0,
        expected: 'at least 1 token (set zero_tokens: drop or clamp_to_1 to accept such rows)',
      });
    case 'clamp_to_1':
      countDrop(adjusted, `clamped_${zeroField}`);
      return { ...row, prompt_tokens: Math.max(1, row.prompt_tokens), output_tokens: Math.max(1, row.output_tokens) };
  }
}

/**
 * Length filters and Vidur's total-length clipping (docs/traces.md). Filters come first (a row
 * too short to be valid is dropped, not clipped); then a row above max_total_tokens is dropped
 * or clipped by `over_max_total_tokens`.
 */
function applyLengthLimits(row: RawRow, opts: CommonOptions, dropped: Record<string, number>, adjusted: Record<string, number>): RawRow | undefined {
  if (opts.min_prompt_tokens !== undefined && row.prompt_tokens < opts.min_prompt_tokens) return void countDrop(dropped, 'under_min_prompt_tokens');
  if (opts.min_output_tokens !== undefined && row.output_tokens < opts.min_output_tokens) return void countDrop(dropped, 'under_min_output_tokens');
  if (opts.max_prompt_tokens !== undefined && row.prompt_tokens > opts.max_prompt_tokens) return void countDrop(dropped, 'over_max_prompt_tokens');
  const max = opts.max_total_tokens;
  if (max === undefined) return row;
  const total = row.prompt_tokens + row.output_tokens;
  const excess = total - max;
  if (excess <= 0) return row;
  switch (opts.over_max_total_tokens ?? 'drop') {
    case 'drop':
      return void countDrop(dropped, 'over_max_total_tokens');
    case 'cut_prompt': {
      // Vidur's replay: the prompt gives up the excess; an output that alone reaches max leaves no prompt.
      const prompt = row.prompt_tokens - excess;
      if (prompt < 1) return void countDrop(dropped, 'output_reaches_max_total_tokens');
      countDrop(adjusted, 'prompt_cut_to_max_total_tokens');
      return { ...row, prompt_tokens: prompt };
    }
    case 'proportional': {
      // Vidur's length trace: each side loses ⌈excess × its share⌉, and keeps at least one token.
      const prompt = Math.max(1, row.prompt_tokens - Math.ceil((excess * row.prompt_tokens) / total));
      const output = Math.max(1, row.output_tokens - Math.ceil((excess * row.output_tokens) / total));
      countDrop(adjusted, 'clipped_proportionally_to_max_total_tokens');
      return { ...row, prompt_tokens: prompt, output_tokens: output };
    }
  }
}
