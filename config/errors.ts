/**
 * The one error every config of the project raises (run configs, workloads, policy specs,
 * profiles, CLI options): it carries each problem's option, expectation and received value,
 * and a message that reads "Expected <option> <what>, received <value>" so a user can fix the
 * input without reading code. `source` names the file (or preset) the config came from.
 */

/** Renders a value the way it appeared in the input: strings quoted, long values cut. */
export function showValue(value: unknown): string {
  let text: string;
  if (value === undefined) text = 'undefined';
  else if (typeof value === 'string') text = JSON.stringify(value);
  else if (typeof value === 'number' || typeof value === 'bigint') text = String(value);
  else {
    try {
      // NaN and ±Infinity are named as such, not as JSON's "null".
      text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)) ?? String(value);
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

  readonly source: string | undefined;

  constructor(issues: readonly ConfigIssue[], options?: ErrorOptions & { source?: string | undefined }) {
    const lines = issues.map(formatIssue);
    super(options?.source === undefined ? lines.join('\n') : lines.map((l) => `${options.source}: ${l}`).join('\n'), options);
    this.issues = issues;
    this.source = options?.source;
  }

  /** One problem: `option` should be `expected` (e.g. "> 0", "a readable CSV file"), got `received`. */
  static single(option: string, expected: string, received: unknown, options?: ErrorOptions & { source?: string }): ConfigError {
    return new ConfigError([{ option, expected, received: showValue(received) }], options);
  }

  /** The first problem's pieces, for callers that only show one. */
  get option(): string {
    return this.issues[0]?.option ?? '';
  }
}

function formatIssue(issue: ConfigIssue): string {
  // Expectations may start with an operator ("> 0") or already read "to be ..." (custom refinements).
  const sep = /^[<>=!]/.test(issue.expected) ? ' ' : /^to be /.test(issue.expected) ? ' ' : ' to be ';
  return `Expected ${issue.option || '(root)'}${sep}${issue.expected}, received ${issue.received}`;
}
