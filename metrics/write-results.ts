import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type FileDigest, writeCsv, writeStreamed, writeText } from './csv-file.ts';
import { checkOutputPath, cleanStalePartials, MANIFEST } from './output-folder.ts';
import type { RunRecords } from './records.ts';
import { requestMetrics, type RequestMetrics } from './request-metrics.ts';
import { STEP_COLUMNS } from './step-log.ts';
import { summaryOf, type RunSummary } from './summary.ts';
import { traceEvents, writeTraceJson } from './trace-json.ts';
import { VERSION } from './version.ts';

/**
 * requests.csv columns, in RequestMetrics order, then `rejected_reason` (written even when no
 * request finished). A rejected request has a row too: its id, priority, arrival, token counts
 * (requested at arrival; produced when its engine dropped it later, with its instance), empty
 * latencies and the reason.
 */
export const REQUEST_COLUMNS: readonly (keyof RequestMetrics | 'rejected_reason')[] = [
  'request_id', 'priority', 'instance_id', 'arrival_s', 'first_scheduled_s', 'first_token_s', 'finish_s',
  'prompt_tokens', 'output_tokens', 'request_latency_s', 'prefill_latency_s', 'decode_latency_s', 'execution_s',
  'preemptions', 'migrations', 'preemption_loss_s', 'preemption_stall_s', 'rejected_reason',
];

/**
 * requests.csv: finished requests' metrics, and a row with its reason for each request rejected
 * at arrival, by id. Each row is computed as it is written, so no run keeps one metrics object
 * per request.
 */
function* requestRows(records: RunRecords): Generator<Record<string, unknown>> {
  const cost = records.info.preemption_cost;
  for (const r of records.requests) {
    if (r.rejected !== undefined) {
      yield { request_id: r.id, priority: r.priority, instance_id: r.instance, arrival_s: r.arrival_s, prompt_tokens: r.prompt_tokens, output_tokens: r.output_tokens, rejected_reason: r.rejected };
    } else {
      const m = requestMetrics(r, cost);
      if (m !== undefined) yield m as unknown as Record<string, unknown>;
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
  /** Also write steps.csv (the records must hold steps: collect them with keepSteps). */
  readonly steps?: boolean;
  /** Also write trace.json, a Chrome/Perfetto trace of the steps and migrations (needs steps too). */
  readonly traceJson?: boolean;
}

/**
 * Writes `config.json`, `summary.json`, `requests.csv`, `instances.csv`, `migrations.csv`
 * (with `steps` / `traceJson`: `steps.csv` / `trace.json`) and the manifest, from a run's
 * records alone (simulated or real). Refuses any path that is not new, empty or a folder fleetlab wrote (see
 * checkOutputPath). Everything goes to a `.NAME.partial-PID` sibling first and replaces
 * `outDir` by rename, so a kill never leaves a half-written folder under the real name; stale
 * partial folders of dead processes are cleaned here. Nothing depends on wall time: the same
 * run writes byte-identical files.
 */
export function writeResults(records: RunRecords, outDir: string, options: WriteOptions = {}): RunSummary {
  const mode = checkOutputPath(outDir, { overwrite: options.overwrite ?? false });
  const steps = records.steps;
  if ((options.steps === true || options.traceJson === true) && steps === undefined) {
    throw new Error(`steps.csv / trace.json asked for ${outDir}, but the run kept no step records (collect them with new RecordCollector({ keepSteps: true }))`);
  }
  const summary = summaryOf(records);
  const parent = dirname(outDir);
  mkdirSync(parent, { recursive: true });
  cleanStalePartials(parent);
  const staging = join(parent, `.${basename(outDir)}.partial-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
  const files: Record<string, FileDigest> = {
    'config.json': writeText(join(staging, 'config.json'), json({ fleetlab_version: VERSION, ...records.info.config })),
    'summary.json': writeText(join(staging, 'summary.json'), json(summary)),
    'requests.csv': writeCsv(join(staging, 'requests.csv'), REQUEST_COLUMNS, requestRows(records)),
    'instances.csv': writeCsv(join(staging, 'instances.csv'), INSTANCE_COLUMNS, records.samples as unknown as Iterable<Record<string, unknown>>),
    'migrations.csv': writeCsv(
      join(staging, 'migrations.csv'),
      MIGRATION_COLUMNS,
      records.migrations.map((m) => ({ ...m, reason: m.reason ?? '' })),
    ),
  };
  if (steps !== undefined && options.steps === true) {
    files['steps.csv'] = writeCsv(join(staging, 'steps.csv'), STEP_COLUMNS, steps as unknown as Iterable<Record<string, unknown>>);
  }
  if (steps !== undefined && options.traceJson === true) {
    const events = traceEvents(steps, records.migrations, records.info.system);
    files['trace.json'] = writeStreamed(join(staging, 'trace.json'), (put) => writeTraceJson(put, events));
  }
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
