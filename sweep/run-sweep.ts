import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import type { RunSummary } from '../metrics/index.ts';
import { writeManifest } from './manifest.ts';
import { pointsBar } from './progress.ts';
import { isFinished, resolveSweep, type ResolvedPoint } from './resolve.ts';
import { runPoint, type PointTask } from './run-point.ts';
import { selectShard } from './shard.ts';
import type { Shard, Sweep, SweepPoint } from './types.ts';

export interface SweepOptions {
  /** Root folder: `<out>/sweep.json` and `<out>/points/<id>/`. */
  readonly out: string;
  /** Worker threads; 1 runs every point on the calling thread. */
  readonly workers: number;
  readonly shard?: Shard | undefined;
  readonly progress?: boolean;
  /** Where relative paths inside configs resolve from (default: the working directory). */
  readonly baseDir?: string;
}

export interface PointOutcome {
  readonly point: SweepPoint;
  readonly summary: RunSummary;
  /** `skipped`: a finished result with the same config was already there. */
  readonly status: 'ran' | 'skipped';
}

/**
 * Runs a sweep's points (this shard's, sorted by id), skipping finished ones, on worker
 * threads. Each point's results depend only on its resolved config, so the outcome is the
 * same whatever the worker count or the shard split. Fails after every point has been tried,
 * naming each failed point.
 */
export async function runSweep(sweep: Sweep, options: SweepOptions): Promise<PointOutcome[]> {
  const all = resolveSweep(sweep, options.out);
  writeManifest(sweep, all, options.out);
  const mine = selectShard(all.map((r) => ({ ...r.point, resolved: r })), options.shard).map((p) => p.resolved);
  const baseDir = options.baseDir ?? process.cwd();
  const bar = pointsBar(sweep.name, mine.length, options.progress ?? false);
  const pool =
    options.workers > 1 && mine.some((r) => !isFinished(r))
      ? new Piscina<PointTask, RunSummary>({
          filename: new URL('./worker.mjs', import.meta.url).href,
          maxThreads: options.workers,
          minThreads: Math.min(options.workers, mine.length),
        })
      : undefined;
  const one = async (r: ResolvedPoint): Promise<PointOutcome> => {
    if (isFinished(r)) {
      const summary = JSON.parse(readFileSync(join(r.dir, 'summary.json'), 'utf8')) as RunSummary;
      return { point: r.point, summary, status: 'skipped' };
    }
    const task: PointTask = { config: r.config, dir: r.dir, baseDir };
    const summary = pool === undefined ? runPoint(task) : await pool.run(task);
    return { point: r.point, summary, status: 'ran' };
  };
  try {
    const settled = await Promise.allSettled(
      mine.map(async (r) => {
        const outcome = await one(r);
        bar.tick(r.point.id);
        return outcome;
      }),
    );
    const failures = settled.flatMap((s, i) => (s.status === 'rejected' ? [`${mine[i]?.point.id}: ${String(s.reason)}`] : []));
    if (failures.length > 0) throw new Error(`sweep ${sweep.name}: ${failures.length} point(s) failed:\n${failures.join('\n')}`);
    return settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  } finally {
    bar.stop();
    await pool?.destroy();
  }
}
