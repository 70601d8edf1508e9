/**
 * The README's quickstart table, generated from fresh runs so it cannot drift:
 * `npm run docs:readme` rewrites the block between the `generated:quickstart` markers, and
 * test/artifact/readme-numbers.test.ts re-runs the quickstart and compares.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunSummary, summarize } from '../metrics/index.ts';
import { parseRunConfig, simulate } from '../sim/index.ts';
import { findPreset } from './presets.ts';

export const QS_BEGIN = '<!-- generated:quickstart begin (npm run docs:readme; do not edit by hand) -->';
export const QS_END = '<!-- generated:quickstart end -->';

/** What `fleetlab quickstart` runs with its defaults: M-M at the preset rate, 10,000 requests, seed 0. */
export function quickstartSummaries(requests = 10_000): RunSummary[] {
  return ['round-robin', 'infaas++', 'llumnix'].map((system) => {
    const raw = findPreset(`llumnix-fig11/M-M/${system}`) as { workload: { num_requests: number }; seed?: number };
    raw.workload.num_requests = requests;
    raw.seed = 0;
    return summarize(simulate(parseRunConfig(raw, `llumnix-fig11/M-M/${system}`)).records).summary;
  });
}

const ROWS: readonly [string, (s: RunSummary) => string][] = [
  ['prefill latency P99 (s)', (s) => s.prefill_latency_s.p99.toFixed(3)],
  ['prefill latency mean (s)', (s) => s.prefill_latency_s.mean.toFixed(3)],
  ['request latency P99 (s)', (s) => s.request_latency_s.p99.toFixed(1)],
  ['decode latency P99 (ms/token)', (s) => (s.decode_latency_s.p99 * 1e3).toFixed(1)],
  ['preemption loss (s/request)', (s) => s.preemption_loss_s.toFixed(3)],
  ['migrations committed / aborted', (s) => `${s.migrations.committed} / ${s.migrations.aborted}`],
  ['migration downtime mean (ms)', (s) => (s.migrations.committed > 0 ? s.migrations.downtime_ms.mean.toFixed(1) : '—')],
];

export function quickstartBlock(summaries: readonly RunSummary[]): string {
  return [
    QS_BEGIN,
    '',
    `| metric | ${summaries.map((s) => s.system).join(' | ')} |`,
    `|---|${summaries.map(() => '---|').join('')}`,
    ...ROWS.map(([label, f]) => `| ${label} | ${summaries.map(f).join(' | ')} |`),
    '',
    QS_END,
  ].join('\n');
}

export function readmeBlock(readme: string): string | undefined {
  const a = readme.indexOf(QS_BEGIN);
  const b = readme.indexOf(QS_END);
  return a < 0 || b < a ? undefined : readme.slice(a, b + QS_END.length);
}

function main(): void {
  const path = join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md');
  const readme = readFileSync(path, 'utf8');
  const current = readmeBlock(readme);
  if (current === undefined) throw new Error(`README.md: no ${QS_BEGIN} … ${QS_END} markers`);
  writeFileSync(path, readme.replace(current, quickstartBlock(quickstartSummaries())));
  console.log('README.md: quickstart table regenerated');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) main();
