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

type CommonOptions = Pick<TraceSource, 'time_scale' | 'start_s' | 'end_s' | 'rebase' | 'max_requests' | 'zero_tokens'>;

/**
 * The options every format shares, in a fixed order so results do not depend on which is
 * written first: zero-token policy → window [start_s, end_s) on the file's clock → max_requests
 * → rebase to the first kept row → time_scale.
 */
export function applyCommonOptions(parsed: Parsed, file: string, opts: CommonOptions): {
  rows: TraceRow[];
  dropped: Record<string, number>;
  adjusted: Record<string, number>;
} {
  const dropped = { ...parsed.dropped };
  const adjusted: Record<string, number> = {};
  const windowed = opts.start_s !== undefined || opts.end_s !== undefined;
  const kept: RawRow[] = [];
  for (const row of parsed.rows) {
    const fixed = applyZeroPolicy(row, file, opts.zero_tokens, dropped, adjusted);
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
  const origin = opts.rebase ? (kept[0]?.time_s ?? 0) : 0;
  const rows = kept.map((row): TraceRow => {
    const { time_s, entry: _entry, ...rest } = row;
    return time_s === undefined ? rest : { ...rest, arrival_s: (time_s - origin) * opts.time_scale };
  });
  return { rows, dropped, adjusted };
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
