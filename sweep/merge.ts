import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { RunSummary } from '../metrics/index.ts';
import { readManifest } from './manifest.ts';
import type { PointLabels } from './types.ts';

export interface MergedPoint {
  readonly id: string;
  readonly labels: PointLabels;
  readonly summary: RunSummary;
}

/**
 * Gathers the finished points of sweep folders (shards of one sweep, or several sweeps),
 * sorted by id. A point found twice must have the same summary; unfinished points are absent.
 */
export function mergeSweeps(dirs: readonly string[]): MergedPoint[] {
  const byId = new Map<string, MergedPoint & { from: string; text: string }>();
  for (const dir of dirs) {
    const pointsDir = join(dir, 'points');
    const manifest = readManifest(dir);
    if (!existsSync(pointsDir) && manifest === undefined) throw new Error(`merge: ${dir} has no points/ folder and no sweep.json; expected a sweep output folder`);
    const labels = new Map((manifest?.points ?? []).map((p) => [p.id, p.labels]));
    // A shard that drew no point (more shards than points) or ran none yet has a sweep.json and no points/.
    const ids = existsSync(pointsDir) ? readdirSync(pointsDir).filter((name) => !name.startsWith('.')).sort() : [];
    for (const id of ids) {
      const file = join(pointsDir, id, 'summary.json');
      if (!existsSync(file)) continue;
      const text = readFileSync(file, 'utf8');
      const seen = byId.get(id);
      if (seen !== undefined && seen.text !== text) throw new Error(`merge: point ${id} differs between ${seen.from} and ${dir}`);
      if (seen === undefined) byId.set(id, { id, labels: labels.get(id) ?? {}, summary: JSON.parse(text) as RunSummary, from: dir, text });
    }
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).map(({ id, labels, summary }) => ({ id, labels, summary }));
}

/** One flat row per point: labels, then the headline metrics (seconds unless named). */
export function mergedRow(point: MergedPoint): Record<string, string | number> {
  const s = point.summary;
  return {
    id: point.id,
    ...point.labels,
    system: s.system,
    seed: s.seed,
    requests: s.requests,
    request_mean_s: s.request_latency_s.mean,
    request_p99_s: s.request_latency_s.p99,
    prefill_mean_s: s.prefill_latency_s.mean,
    prefill_p99_s: s.prefill_latency_s.p99,
    decode_mean_s: s.decode_latency_s.mean,
    decode_p99_s: s.decode_latency_s.p99,
    preemption_loss_s: s.preemption_loss_s,
    migrations_committed: s.migrations.committed,
    avg_instances_time_weighted: s.avg_instances_time_weighted,
  };
}

/** mergedRow's columns after the labels: the header of a merge that gathered no point. */
const METRIC_COLUMNS = [
  'system', 'seed', 'requests', 'request_mean_s', 'request_p99_s', 'prefill_mean_s', 'prefill_p99_s',
  'decode_mean_s', 'decode_p99_s', 'preemption_loss_s', 'migrations_committed', 'avg_instances_time_weighted',
];

/**
 * CSV of every merged point; columns are the union of all rows' keys in first-seen order. With
 * no point (empty shards) it is the header alone.
 */
export function mergedCsv(points: readonly MergedPoint[]): string {
  const rows = points.map(mergedRow);
  const columns = rows.length === 0 ? ['id', ...METRIC_COLUMNS] : [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return stringify(rows, { header: true, columns });
}
