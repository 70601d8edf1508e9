import type { RunSummary } from './summary.ts';

/** The rows `compare` prints; a run that cannot say a value shows "—". */
const ROWS = [
  { key: 'finished', label: 'requests finished', digits: 0 },
  { key: 'rejected', label: 'requests rejected / failed', digits: 0 },
  { key: 'e2el_mean_s', label: 'request latency mean (s)', digits: 2 },
  { key: 'e2el_p99_s', label: 'request latency P99 (s)', digits: 2 },
  { key: 'ttft_mean_s', label: 'prefill latency mean (s)', digits: 3 },
  { key: 'ttft_p99_s', label: 'prefill latency P99 (s)', digits: 3 },
  { key: 'tpot_mean_s', label: 'decode latency mean (s)', digits: 4 },
  { key: 'tpot_p99_s', label: 'decode latency P99 (s)', digits: 4 },
  { key: 'itl_mean_ms', label: 'inter-token latency mean (ms)', digits: 1 },
  { key: 'itl_p99_ms', label: 'inter-token latency P99 (ms)', digits: 1 },
  { key: 'request_throughput', label: 'request throughput (req/s)', digits: 2 },
  { key: 'output_throughput', label: 'output throughput (tok/s)', digits: 1 },
  { key: 'preemption_loss_s', label: 'preemption loss (s/request)', digits: 3 },
  { key: 'preemptions', label: 'preemptions', digits: 0 },
  { key: 'migrations_committed', label: 'migrations committed', digits: 0 },
  { key: 'migrations_aborted', label: 'migrations aborted', digits: 0 },
  { key: 'downtime_mean_ms', label: 'migration downtime mean (ms)', digits: 1 },
  { key: 'avg_instances', label: 'avg instances', digits: 2 },
] as const;

export type CompareKey = (typeof ROWS)[number]['key'];

/** One column of `compare`: a run's own name, what ran it, and the values it has. */
export interface ComparableRun {
  /** Column header: the run's name (its results folder, or the vLLM result file). */
  readonly name: string;
  /** Second header line: the system (Llumnix, real:model, vLLM ...). */
  readonly system: string;
  readonly values: Readonly<Partial<Record<CompareKey, number | undefined>>>;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const scaled = (v: unknown, by: number): number | undefined => (num(v) === undefined ? undefined : (v as number) * by);

/**
 * A fleetlab summary.json as a column. Latencies are the summary's own (Llumnix's definitions,
 * docs); ITL and throughputs come from its `vllm_bench` section when it has one. Older or
 * partial summaries leave the rows they lack empty instead of failing.
 */
export function summaryColumn(s: RunSummary): ComparableRun {
  const bench = s.vllm_bench ?? {};
  // A run that could not observe a field (a real fleet seen from its client: `fleetlab bench
  // serve`) lists it in `not_measured` and writes 0 there; it shows "—", not a measured 0.
  const unmeasured = new Set(s.not_measured ?? []);
  const measured = (key: string, v: unknown): number | undefined => (unmeasured.has(key) ? undefined : num(v));
  const m = (unmeasured.has('migrations') ? undefined : s.migrations) as Partial<RunSummary['migrations']> | undefined;
  return {
    name: String(s.name ?? '?'),
    system: String(s.system ?? s.name ?? '?'),
    values: {
      finished: num(s.requests),
      rejected: num(s.rejected),
      e2el_mean_s: num(s.request_latency_s?.mean),
      e2el_p99_s: num(s.request_latency_s?.p99),
      ttft_mean_s: num(s.prefill_latency_s?.mean),
      ttft_p99_s: num(s.prefill_latency_s?.p99),
      tpot_mean_s: num(s.decode_latency_s?.mean),
      tpot_p99_s: num(s.decode_latency_s?.p99),
      itl_mean_ms: num(bench['mean_itl_ms']),
      itl_p99_ms: num(bench['p99_itl_ms']),
      request_throughput: num(bench['request_throughput']) ?? num(s.throughput_req_per_s),
      output_throughput: num(bench['output_throughput']),
      preemption_loss_s: measured('preemption_loss_s', s.preemption_loss_s),
      preemptions: measured('preemptions', s.preemptions),
      migrations_committed: num(m?.committed),
      migrations_aborted: num(m?.aborted),
      downtime_mean_ms: (m?.committed ?? 0) > 0 ? num(m?.downtime_ms?.mean) : undefined,
      avg_instances: measured('avg_instances_time_weighted', s.avg_instances_time_weighted),
    },
  };
}

/**
 * A `vllm bench serve --save-result` JSON as a column: TTFT, TPOT and E2EL are the prefill,
 * decode and request latencies (same definitions); P99 rows need `p99_*` keys (vLLM's default
 * `--metric-percentiles 99`). What a client cannot see (preemptions, migrations) stays empty.
 */
export function vllmResultColumn(name: string, r: Readonly<Record<string, unknown>>): ComparableRun {
  return {
    name,
    system: `vLLM bench ${String(r['model_id'] ?? '')}`.trim(),
    values: {
      finished: num(r['completed']),
      rejected: num(r['failed']),
      e2el_mean_s: scaled(r['mean_e2el_ms'], 1e-3),
      e2el_p99_s: scaled(r['p99_e2el_ms'], 1e-3),
      ttft_mean_s: scaled(r['mean_ttft_ms'], 1e-3),
      ttft_p99_s: scaled(r['p99_ttft_ms'], 1e-3),
      tpot_mean_s: scaled(r['mean_tpot_ms'], 1e-3),
      tpot_p99_s: scaled(r['p99_tpot_ms'], 1e-3),
      itl_mean_ms: num(r['mean_itl_ms']),
      itl_p99_ms: num(r['p99_itl_ms']),
      request_throughput: num(r['request_throughput']),
      output_throughput: num(r['output_throughput']),
    },
  };
}

const isColumn = (x: RunSummary | ComparableRun): x is ComparableRun => 'values' in x;

/**
 * The runs side by side, one column each headed by the run's name (and its system on a second
 * line when it differs), as a fixed-width text table. Rows no run has a value for are left out.
 */
export function compareTable(runs: readonly (RunSummary | ComparableRun)[]): string {
  const columns = runs.map((r) => (isColumn(r) ? r : summaryColumn(r)));
  const rows = ROWS.filter((row) => columns.some((c) => c.values[row.key] !== undefined));
  const header = ['metric', ...columns.map((c) => c.name)];
  const systems = ['', ...columns.map((c) => (c.system === c.name ? '' : c.system))];
  const body = rows.map((row) => [row.label, ...columns.map((c) => c.values[row.key]?.toFixed(row.digits) ?? '—')]);
  const heads = systems.some((s) => s !== '') ? [header, systems] : [header];
  const lines = [...heads, ...body];
  const widths = header.map((_, i) => Math.max(...lines.map((line) => (line[i] ?? '').length)));
  const format = (line: readonly string[]): string =>
    line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  return [...heads.map(format), format(widths.map((w) => '-'.repeat(w))), ...body.map(format)].join('\n');
}
