import { Job, Queue, QueueEvents } from 'bullmq';
import { pointsBar } from '../progress.ts';
import { isFinished, type ResolvedPoint } from '../resolve.ts';
import { readSummary, settlePoints, shardPoints } from '../settle-points.ts';
import type { PointOutcome } from '../run-sweep.ts';
import type { Shard, Sweep } from '../types.ts';
import { connect, type QueueTarget, reachRedis } from './connection.ts';
import { unpackFolder } from './point-files.ts';
import { pointJobData, pointJobId, type PointJobData, type PointJobResult } from './point-job.ts';

export interface QueuedSweepOptions {
  readonly out: string;
  readonly target: QueueTarget;
  readonly shard?: Shard | undefined;
  readonly progress?: boolean;
  readonly baseDir?: string;
  /** Tries per point when it throws (a worker's disk full, a trace file missing on one machine). */
  readonly attempts?: number;
  /** First wait before a retry; doubles each time. */
  readonly backoffMs?: number;
  /** Give up when Redis cannot be reached this long at the start (default 10 s). */
  readonly connectTimeoutMs?: number;
}

/** A point run through the queue: `stalled` counts the times its worker died under it. */
export interface QueuedOutcome extends PointOutcome {
  readonly job_id: string;
  readonly stalled: number;
  readonly attempts: number;
}

export const ENQUEUE_DEFAULTS = { attempts: 3, backoffMs: 5_000 } as const;
/** Finished jobs (and their results) stay in Redis this long, so a restarted enqueuer collects them. */
const KEEP_S = 7 * 24 * 3600;

/**
 * Runs a sweep through a BullMQ queue: one job per unfinished point (job id = hash of the point,
 * so enqueueing again adds nothing), waits for every job, and writes each point's files, sent
 * back by the worker, where a local sweep writes them. Finished points are skipped as locally;
 * a point that failed earlier is retried when enqueued again. Fails after every point has
 * ended, naming each failed point.
 */
export async function runQueuedSweep(sweep: Sweep, options: QueuedSweepOptions): Promise<QueuedOutcome[]> {
  const mine = shardPoints(sweep, options.out, options.shard);
  const baseDir = options.baseDir ?? process.cwd();
  const connection = connect(options.target.url);
  try {
    await reachRedis(connection, options.target.url, options.connectTimeoutMs);
  } catch (error) {
    connection.disconnect();
    throw error;
  }
  const queue = new Queue<PointJobData, PointJobResult>(options.target.name, { connection });
  const eventsConnection = connect(options.target.url);
  const events = new QueueEvents(options.target.name, { connection: eventsConnection });
  const bar = pointsBar(sweep.name, mine.length, options.progress ?? false);
  try {
    await events.waitUntilReady();
    const one = async (r: ResolvedPoint): Promise<QueuedOutcome> => {
      const jobId = pointJobId(r.config, baseDir);
      if (isFinished(r)) return { point: r.point, summary: readSummary(r.dir), status: 'skipped', job_id: jobId, stalled: 0, attempts: 0 };
      const job = await queue.add(r.point.id, pointJobData(sweep.name, r, baseDir), {
        jobId,
        attempts: options.attempts ?? ENQUEUE_DEFAULTS.attempts,
        backoff: { type: 'exponential', delay: options.backoffMs ?? ENQUEUE_DEFAULTS.backoffMs },
        removeOnComplete: { age: KEEP_S },
        removeOnFail: { age: KEEP_S },
      });
      // add() keeps a job that already exists: one that failed before is retried now.
      if ((await job.getState()) === 'failed') await job.retry('failed');
      try {
        await job.waitUntilFinished(events);
      } catch (error) {
        throw new Error(`failed on the workers: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      const done = await Job.fromId<PointJobData, PointJobResult>(queue, jobId);
      if (done?.returnvalue?.files === undefined) throw new Error(`job ${jobId} finished but its results are gone from Redis (removed?); enqueue again to re-run it`);
      unpackFolder(done.returnvalue.files, r.dir);
      return { point: r.point, summary: readSummary(r.dir), status: 'ran', job_id: jobId, stalled: done.stalledCounter, attempts: done.attemptsMade };
    };
    return await settlePoints(sweep.name, mine, one, bar);
  } finally {
    bar.stop();
    await events.close();
    await queue.close();
    // BullMQ leaves connections it was given open: they are ours to close.
    await Promise.all([connection.quit(), eventsConnection.quit()]);
  }
}
