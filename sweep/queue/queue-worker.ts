import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { Piscina } from 'piscina';
import { type RunSummary, VERSION } from '../../metrics/index.ts';
import type { PointTask } from '../run-point.ts';
import { connect, type QueueTarget } from './connection.ts';
import { packFolder } from './point-files.ts';
import type { PointJobData, PointJobResult } from './point-job.ts';

export interface QueueWorkerOptions {
  readonly target: QueueTarget;
  /** Points run at once, each on its own thread. */
  readonly concurrency: number;
  /** How long a point's lock lasts without renewal (renewed every half of it while it runs). */
  readonly lockDurationMs?: number;
  /** How often this worker looks for points whose worker died (their lock expired). */
  readonly stalledIntervalMs?: number;
  /** A point found stalled more often than this fails instead of running again. */
  readonly maxStalledCount?: number;
  /** Resolve relative paths of configs from here instead of the enqueuer's folder. */
  readonly baseDir?: string;
  /** One line per started / finished / failed point. */
  readonly log?: (line: string) => void;
}

export interface QueueWorker {
  /** Resolves once the worker is connected to Redis and takes points. */
  readonly ready: Promise<void>;
  /** Waits for the points running now to finish, then disconnects. */
  close(): Promise<void>;
}

/** BullMQ's defaults (30 s lock, 30 s stalled check), one extra stall allowed before failing. */
export const WORKER_DEFAULTS = { lockDurationMs: 30_000, stalledIntervalMs: 30_000, maxStalledCount: 2 } as const;

/**
 * Takes points off the queue and runs each with the code local sweeps use (sweep/worker.mjs →
 * runPoint) on a Piscina thread, into a temporary folder whose files go back to the enqueuer
 * as the job's return value. The simulation runs off the main thread so that BullMQ keeps
 * renewing the point's lock however long it takes; a worker that dies stops renewing, and
 * another worker's stalled check puts the point back in the queue.
 */
export function startQueueWorker(options: QueueWorkerOptions): QueueWorker {
  const log = options.log ?? (() => {});
  const pool = new Piscina<PointTask, RunSummary>({
    filename: new URL('../worker.mjs', import.meta.url).href,
    maxThreads: options.concurrency,
    minThreads: 1,
  });
  const runJob = async (job: Job<PointJobData, PointJobResult>): Promise<PointJobResult> => {
    const { point_id: id, config, base_dir } = job.data;
    if (job.data.fleetlab_version !== VERSION) {
      // Another version may simulate differently: its results would not be the sweep's. No retry helps.
      const why = `point ${id} was enqueued by fleetlab ${job.data.fleetlab_version}, this worker is ${VERSION}; run the same version everywhere`;
      log(`refused ${id}: ${why}`);
      throw new UnrecoverableError(why);
    }
    log(`started ${id} (${job.data.sweep}, attempt ${job.attemptsStarted}, job ${job.id ?? '?'})`);
    const scratch = mkdtempSync(join(tmpdir(), 'fleetlab-worker-'));
    try {
      const dir = join(scratch, id);
      await pool.run({ config, dir, baseDir: options.baseDir ?? base_dir });
      const result = { point_id: id, files: packFolder(dir) };
      log(`finished ${id}`);
      return result;
    } catch (error) {
      log(`failed ${id}: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  };
  const connection = connect(options.target.url);
  const worker = new Worker<PointJobData, PointJobResult>(options.target.name, runJob, {
    connection,
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs ?? WORKER_DEFAULTS.lockDurationMs,
    stalledInterval: options.stalledIntervalMs ?? WORKER_DEFAULTS.stalledIntervalMs,
    maxStalledCount: options.maxStalledCount ?? WORKER_DEFAULTS.maxStalledCount,
  });
  worker.on('error', (error) => log(`queue error: ${error.message}`));
  const ready = worker.waitUntilReady();
  ready.catch(() => undefined); // a caller that never asks is told by the 'error' log line instead
  return {
    ready,
    async close() {
      await worker.close();
      await pool.destroy();
      // BullMQ leaves a connection it was given open: it is ours to close.
      await connection.quit();
    },
  };
}
