import { basename } from 'node:path';
import type { WorkloadReport } from '../traces/index.ts';

/** summary.json `trace`: what happened to the rows of the traces a run read; nothing silently. */
export interface TraceSummary {
  /** The traces read (file names only, so summaries compare across checkouts). */
  readonly files: readonly string[];
  /** Data rows in the files. */
  readonly rows_read: number;
  /** Rows available to the workload after every filter. */
  readonly rows_kept: number;
  /** Rows left out, by reason (zero_output_tokens, outside_window, too_few_turns, ...). */
  readonly rows_dropped: Readonly<Record<string, number>>;
  /** Rows kept but changed, by reason (clamped_output_tokens, ...). */
  readonly rows_adjusted: Readonly<Record<string, number>>;
  /** Rows that moved when the trace was sorted by time. */
  readonly rows_reordered: number;
  /** Requests whose prompt or output was cut to lengths.paired.cap_tokens. */
  readonly requests_clipped_to_cap_tokens: number;
  /** Requests a lengths.dataset drew again (fewer usable rows than requests); only with a dataset. */
  readonly requests_oversampled?: number;
}

function addInto(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

const sorted = (r: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** Totals over the traces of a run, or undefined when it read none. */
export function traceSummary(report: WorkloadReport | undefined): TraceSummary | undefined {
  if (report === undefined || report.traces.length === 0) return undefined;
  const dropped: Record<string, number> = {};
  const adjusted: Record<string, number> = {};
  let read = 0;
  let kept = 0;
  let reordered = 0;
  for (const t of report.traces) {
    addInto(dropped, t.dropped);
    addInto(adjusted, t.adjusted);
    read += t.rows_read;
    kept += t.rows.length;
    reordered += t.reordered;
  }
  return {
    files: report.traces.map((t) => basename(t.file)),
    rows_read: read,
    rows_kept: kept,
    rows_dropped: sorted(dropped),
    rows_adjusted: sorted(adjusted),
    rows_reordered: reordered,
    requests_clipped_to_cap_tokens: report.clipped_to_cap_tokens,
    ...(report.dataset_oversampled === undefined ? {} : { requests_oversampled: report.dataset_oversampled }),
  };
}

/** One line for the terminal, or undefined when there is nothing to tell. */
export function traceLine(t: TraceSummary): string {
  const parts = [`trace ${t.files.join(', ')}: ${t.rows_read} rows read, ${t.rows_kept} kept`];
  const list = (r: Readonly<Record<string, number>>): string => Object.entries(r).map(([k, v]) => `${v} ${k}`).join(', ');
  if (Object.keys(t.rows_dropped).length > 0) parts.push(`dropped: ${list(t.rows_dropped)}`);
  if (Object.keys(t.rows_adjusted).length > 0) parts.push(`adjusted: ${list(t.rows_adjusted)}`);
  if (t.rows_reordered > 0) parts.push(`${t.rows_reordered} reordered by time`);
  if (t.requests_clipped_to_cap_tokens > 0) parts.push(`${t.requests_clipped_to_cap_tokens} requests clipped to cap_tokens`);
  if ((t.requests_oversampled ?? 0) > 0) parts.push(`${t.requests_oversampled} requests oversampled (the dataset had fewer usable rows)`);
  return parts.join('; ');
}
