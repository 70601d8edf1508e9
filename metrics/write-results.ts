import { mkdirSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { SimRunResult } from '../sim/run.ts';
import { summarize, type RunSummary } from './summary.ts';
import { VERSION } from './version.ts';

/**
 * Writes `config.json`, `summary.json`, `requests.csv`, `instances.csv` and `migrations.csv`.
 * Everything goes to a temporary sibling folder first and replaces `outDir` by rename, so an
 * interrupted write never leaves a half-written result folder, nor loses the previous one.
 * Nothing here depends on wall time: the same run writes byte-identical files.
 */
export function writeResults(result: SimRunResult, outDir: string): RunSummary {
  const { summary, rows } = summarize(result);
  const parent = dirname(outDir);
  mkdirSync(parent, { recursive: true });
  const staging = join(parent, `.${basename(outDir)}.partial-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
  writeFileSync(join(staging, 'config.json'), json({ fleetlab_version: VERSION, ...result.config }));
  writeFileSync(join(staging, 'summary.json'), json(summary));
  writeFileSync(join(staging, 'requests.csv'), stringify(rows, { header: true }));
  writeFileSync(join(staging, 'instances.csv'), stringify(result.samples as unknown as Record<string, unknown>[], { header: true }));
  writeFileSync(
    join(staging, 'migrations.csv'),
    stringify(
      result.migrations.map((m) => ({ ...m, reason: m.reason ?? '' })),
      { header: true, columns: ['id', 'request', 'from', 'to', 'started_s', 'ended_s', 'status', 'reason', 'stages', 'blocks_copied', 'downtime_s'] },
    ),
  );
  const previous = `${staging}.previous`;
  if (existsSync(outDir)) renameSync(outDir, previous);
  renameSync(staging, outDir);
  rmSync(previous, { recursive: true, force: true });
  return summary;
}
