/**
 * The two ways a workload can be wrong: a config that asks for something impossible
 * (ConfigError, shared by every config of the project) and a trace file whose content is not
 * what its format promises (TraceError).
 */
import { showValue } from '../config/errors.ts';

export { ConfigError, showValue, type ConfigIssue } from '../config/errors.ts';

export interface TraceErrorDetails {
  /** The trace file (path or builtin name) being read. */
  readonly file: string;
  /** 1-based line in the file, where the format has lines. */
  readonly line?: number;
  /** 0-based entry index, for formats without meaningful lines (a JSON array). */
  readonly entry?: number;
  /** Column or JSON field. */
  readonly field?: string;
  /** The raw value found (omitted when the problem is not about one value). */
  readonly value?: unknown;
  /** What the format requires. */
  readonly expected: string;
}

/** A trace file that cannot be read as its declared format, or cannot satisfy the request made of it. */
export class TraceError extends Error {
  override readonly name = 'TraceError';
  readonly file: string;
  readonly line: number | undefined;
  readonly entry: number | undefined;
  readonly field: string | undefined;
  readonly value: unknown;
  readonly expected: string;

  constructor(details: TraceErrorDetails, options?: ErrorOptions) {
    super(formatTraceError(details), options);
    this.file = details.file;
    this.line = details.line;
    this.entry = details.entry;
    this.field = details.field;
    this.value = details.value;
    this.expected = details.expected;
  }
}

function formatTraceError(d: TraceErrorDetails): string {
  let where = d.file;
  if (d.line !== undefined) where += `:${d.line}`;
  if (d.entry !== undefined) where += ` (entry ${d.entry})`;
  const field = d.field === undefined ? '' : ` field "${d.field}":`;
  const received = 'value' in d ? `, received ${showValue(d.value)}` : '';
  return `${where}:${field} expected ${d.expected}${received}`;
}
