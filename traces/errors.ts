/**
 * The two ways a workload can be wrong: a config that asks for something impossible
 * (ConfigError) and a trace file whose content is not what its format promises (TraceError).
 * Both carry the pieces separately so callers can render them, and a message that reads
 * "Expected <what>, received <value>" so a user can fix the input without reading code.
 */

/** Renders a value the way it appeared in the input: strings quoted, long values cut. */
export function showValue(value: unknown): string {
  let text: string;
  if (value === undefined) text = 'undefined';
  else if (typeof value === 'string') text = JSON.stringify(value);
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export interface ConfigIssue {
  /** Dotted path of the option, e.g. "arrival.rate_per_s". */
  readonly option: string;
  /** What a valid value looks like, e.g. "> 0". */
  readonly expected: string;
  /** The offending value, rendered. */
  readonly received: string;
}

/** An invalid workload or trace-source configuration; lists every problem found, not just the first. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options?: ErrorOptions) {
    super(issues.map(formatIssue).join('\n'), options);
    this.issues = issues;
  }

  /** The first problem's pieces, for callers that only show one. */
  get option(): string {
    return this.issues[0]?.option ?? '';
  }
}

function formatIssue(issue: ConfigIssue): string {
  const sep = /^[<>=!]/.test(issue.expected) ? ' ' : ' to be ';
  return `Expected ${issue.option || '(root)'}${sep}${issue.expected}, received ${issue.received}`;
}

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
