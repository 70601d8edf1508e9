// `fleetlab compare` inputs: fleetlab results folders (simulated or `fleetlab bench serve`), a
// summary.json itself, or `vllm bench serve --save-result` JSON files, told apart by their keys.
import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type ComparableRun, type RunSummary, summaryColumn, vllmResultColumn } from '../metrics/index.ts';

function readJson(file: string, given: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    const why = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (cause as Error).message;
    throw new Error(`compare: ${given}: expected a readable JSON file (${why})`, { cause });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`compare: ${given}: expected a JSON object, received ${Array.isArray(value) ? 'an array' : String(value)}`);
  return value as Record<string, unknown>;
}

const isVllmResult = (j: Record<string, unknown>): boolean => typeof j['completed'] === 'number' && typeof j['duration'] === 'number';
const isSummary = (j: Record<string, unknown>): boolean => typeof j['requests'] === 'number' && typeof j['request_latency_s'] === 'object';

/** One column from a path; the error names the path and what it should be. */
export function readComparable(path: string): ComparableRun {
  let folder = false;
  try {
    folder = statSync(path).isDirectory();
  } catch (cause) {
    throw new Error(`compare: ${path}: no such file or folder (expected a results folder or a vLLM result .json)`, { cause });
  }
  const json = readJson(folder ? join(path, 'summary.json') : path, folder ? join(path, 'summary.json') : path);
  if (isSummary(json)) return summaryColumn(json as unknown as RunSummary);
  if (isVllmResult(json)) return vllmResultColumn(basename(path).replace(/\.json$/i, ''), json);
  const keys = Object.keys(json).slice(0, 6).join(', ');
  throw new Error(
    `compare: ${path}: expected a fleetlab summary (requests, request_latency_s, ...) or a \`vllm bench serve\` result (completed, duration, mean_ttft_ms, ...); found keys: ${keys || 'none'}`,
  );
}

/** Every column; runs that share a name are headed by the path given instead, so columns stay distinct. */
export function readComparables(paths: readonly string[]): ComparableRun[] {
  const columns = paths.map(readComparable);
  const count = new Map<string, number>();
  for (const c of columns) count.set(c.name, (count.get(c.name) ?? 0) + 1);
  return columns.map((c, i) => ((count.get(c.name) ?? 0) > 1 ? { ...c, name: paths[i] ?? c.name } : c));
}
