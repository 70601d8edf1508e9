import type { RunSummary } from './summary.ts';

interface Row {
  readonly label: string;
  readonly value: (s: RunSummary) => number;
  readonly digits: number;
}

const ROWS: readonly Row[] = [
  { label: 'requests finished', value: (s) => s.requests, digits: 0 },
  { label: 'request latency mean (s)', value: (s) => s.request_latency_s.mean, digits: 2 },
  { label: 'request latency P99 (s)', value: (s) => s.request_latency_s.p99, digits: 2 },
  { label: 'prefill latency mean (s)', value: (s) => s.prefill_latency_s.mean, digits: 3 },
  { label: 'prefill latency P99 (s)', value: (s) => s.prefill_latency_s.p99, digits: 3 },
  { label: 'decode latency mean (s)', value: (s) => s.decode_latency_s.mean, digits: 4 },
  { label: 'decode latency P99 (s)', value: (s) => s.decode_latency_s.p99, digits: 4 },
  { label: 'preemption loss (s/request)', value: (s) => s.preemption_loss_s, digits: 3 },
  { label: 'preemptions', value: (s) => s.preemptions, digits: 0 },
  { label: 'migrations committed', value: (s) => s.migrations.committed, digits: 0 },
  { label: 'migrations aborted', value: (s) => s.migrations.aborted, digits: 0 },
  { label: 'migration downtime mean (ms)', value: (s) => s.migrations.downtime_ms.mean, digits: 1 },
  { label: 'avg instances', value: (s) => s.avg_instances_time_weighted, digits: 2 },
];

/** The systems side by side, one column each, as a fixed-width text table. */
export function compareTable(summaries: readonly RunSummary[]): string {
  const header = ['metric', ...summaries.map((s) => s.system)];
  const body = ROWS.map((row) => [row.label, ...summaries.map((s) => row.value(s).toFixed(row.digits))]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((line) => (line[i] ?? '').length)));
  const format = (line: readonly string[]): string =>
    line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  return [format(header), format(widths.map((w) => '-'.repeat(w))), ...body.map(format)].join('\n');
}
