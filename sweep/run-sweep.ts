import { Piscina } from 'piscina';
import type { RunSummary } from '../metrics/index.ts';
import { pointsBar } from './progress.ts';
import { isFinished, type ResolvedPoint } from './resolve.ts';
import { readSummary, settlePoints, shardPoints } from './settle-points.ts';
import { runPoint, type PointTask } from './run-point.ts';
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
  const mine = shardPoints(sweep, options.out, options.shard);
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
      const summary = readSummary(r.dir);
      return { point: r.point, summary, status: 'skipped' };
    }
    const task: PointTask = { config: r.config, dir: r.dir, baseDir };
    const summary = pool === undefined ? runPoint(task) : await pool.run(task);
    return { point: r.point, summary, status: 'ran' };
  };
  try {
    return await settlePoints(sweep.name, mine, one, bar);
  } finally {
    bar.stop();
    await pool?.destroy();
  }
}
