// Reads samples out of Prometheus's text exposition format (what vLLM's and fleetlab's
// `/metrics` serve): `name{label="value",…} number [timestamp]`, `#` lines skipped. Only what
// the manager needs to poll an external server's load; no type or histogram semantics.

export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"/g;

const unescape = (v: string): string => v.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));

/** Every sample of the text; lines that are not samples are skipped. Values `NaN`, `+Inf`, `-Inf` are kept as numbers. */
export function parsePrometheusText(text: string): PromSample[] {
  const samples: PromSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (m === null) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = unescape(l[2]!);
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    samples.push({ name: m[1]!, labels, value });
  }
  return samples;
}

/**
 * The value of the first sample named one of `names` (in that order of preference) whose labels
 * include `match`; undefined when none.
 */
export function sampleValue(samples: readonly PromSample[], names: readonly string[], match: Readonly<Record<string, string>> = {}): number | undefined {
  for (const name of names) {
    const s = samples.find((x) => x.name === name && Object.entries(match).every(([k, v]) => x.labels[k] === undefined || x.labels[k] === v));
    if (s !== undefined) return s.value;
  }
  return undefined;
}
