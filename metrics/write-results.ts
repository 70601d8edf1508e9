import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { SimRunResult } from '../sim/run.ts';
import { type FileDigest, writeCsv, writeText } from './csv-file.ts';
import { checkOutputPath, cleanStalePartials, MANIFEST } from './output-folder.ts';
import type { RequestMetrics } from './request-metrics.ts';
import { summarize, type RunSummary } from './summary.ts';
import { VERSION } from './version.ts';

/**
 * requests.csv columns, in RequestMetrics order, then `rejected_reason` (written even when no
 * request finished). A request rejected at arrival has a row too: its id, priority, arrival and
 * requested token counts, empty latencies and the reason.
 */
export const REQUEST_COLUMNS: readonly (keyof RequestMetrics | 'rejected_reason')[] = [
  'request_id', 'priority', 'instance_id', 'arrival_s', 'first_scheduled_s', 'first_token_s', 'finish_s',
  'prompt_tokens', 'output_tokens', 'request_latency_s', 'prefill_latency_s', 'decode_latency_s', 'execution_s',
  'preemptions', 'migrations', 'preemption_loss_s', 'preemption_stall_s', 'rejected_reason',
];

/** Every request in the order it entered the fleet: its metrics when it finished, its reason when it was rejected. */
function* requestRows(result: SimRunResult, finished: readonly RequestMetrics[]): Generator<Record<string, unknown>> {
  const reasons = new Map(result.rejections.map((r) => [r.request, r.reason]));
  let next = 0;
  for (const r of result.requests) {
    const reason = reasons.get(r.id);
    if (reason !== undefined) {
      yield { request_id: r.id, priority: r.priority, instance_id: -1, arrival_s: r.arrival_s, prompt_tokens: r.prompt_tokens, output_tokens: r.output_tokens, rejected_reason: reason };
    } else if (finished[next]?.request_id === r.id) {
      yield finished[next++] as unknown as Record<string, unknown>;
    }
  }
}
const INSTANCE_COLUMNS = ['time_s', 'instance', 'state', 'free_blocks', 'running', 'waiting', 'killed', 'migrations_in_flight'];
const MIGRATION_COLUMNS = ['id', 'request', 'from', 'to', 'started_s', 'ended_s', 'status', 'reason', 'stages', 'blocks_copied', 'downtime_s'];

/** `.fleetlab-results.json`: marks the folder as fleetlab's and lets a resume check every file whole. */
export interface ResultsManifest {
  readonly fleetlab_results: 1;
  readonly fleetlab_version: string;
  readonly files: Readonly<Record<string, FileDigest>>;
}

export interface WriteOptions {
  /** Replace `outDir` when it holds results fleetlab wrote earlier (never anything else). */
  readonly overwrite?: boolean;
}

/**
 * Writes `config.json`, `summary.json`, `requests.csv`, `instances.csv`, `migrations.csv` and
 * the manifest. Refuses any path that is not new, empty or a folder fleetlab wrote (see
 * checkOutputPath). Everything goes to a `.NAME.partial-PID` sibling first and replaces
 * `outDir` by rename, so a kill never leaves a half-written folder under the real name; stale
 * partial folders of dead processes are cleaned here. Nothing depends on wall time: the same
 * run writes byte-identical files.
 */
export function writeResults(result: SimRunResult, outDir: string, options: WriteOptions = {}): RunSummary {
  const mode = checkOutputPath(outDir, { overwrite: options.overwrite ?? false });
  const { summary, rows } = summarize(result);
  const parent = dirname(outDir);
  mkdirSync(parent, { recursive: true });
  cleanStalePartials(parent);
  const staging = join(parent, `.${basename(outDir)}.partial-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
  const files: Record<string, FileDigest> = {
    'config.json': writeText(join(staging, 'config.json'), json({ fleetlab_version: VERSION, ...result.config })),
    'summary.json': writeText(join(staging, 'summary.json'), json(summary)),
    'requests.csv': writeCsv(join(staging, 'requests.csv'), REQUEST_COLUMNS, requestRows(result, rows)),
    'instances.csv': writeCsv(join(staging, 'instances.csv'), INSTANCE_COLUMNS, result.samples as unknown as Iterable<Record<string, unknown>>),
    'migrations.csv': writeCsv(
      join(staging, 'migrations.csv'),
      MIGRATION_COLUMNS,
      result.migrations.map((m) => ({ ...m, reason: m.reason ?? '' })),
    ),
  };
  const manifest: ResultsManifest = { fleetlab_results: 1, fleetlab_version: VERSION, files };
  writeText(join(staging, MANIFEST), json(manifest));
  // Between these renames the old results live in `.previous`; a kill there is repaired by the
  // next write (cleanStalePartials moves it back).
  const previous = `${staging}.previous`;
  if (mode === 'replace' || existsSync(outDir)) renameSync(outDir, previous);
  renameSync(staging, outDir);
  rmSync(previous, { recursive: true, force: true });
  return summary;
}
