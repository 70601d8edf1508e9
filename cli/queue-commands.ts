import type { Command } from '@commander-js/extra-typings';
import { InvalidArgumentError } from '@commander-js/extra-typings';
import { positive } from './arg-parsers.ts';
import { DEFAULT_QUEUE_NAME, parseRedisUrl, startQueueWorker, WORKER_DEFAULTS } from '../sweep/queue/index.ts';

/** commander parser for `--queue`: a redis:// URL, refused with the value otherwise. */
export const redisUrl = (value: string): string => {
  try {
    return parseRedisUrl(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
};

/** `fleetlab worker --queue redis://…`: runs sweep points from the queue until stopped. */
export function registerWorkerCommand(program: Pick<Command, 'command'>): void {
  program
    .command('worker')
    .description('run sweep points from a Redis queue (filled by `fleetlab sweep --queue`) until stopped; start one per machine')
    .requiredOption('--queue <url>', 'Redis URL, e.g. redis://10.0.0.5:6379', redisUrl)
    .option('--queue-name <name>', 'BullMQ queue name (the same as the sweep\'s)', DEFAULT_QUEUE_NAME)
    .option('-c, --concurrency <n>', 'points run at once, one thread each', positive, 1)
    .option('--base-dir <dir>', "resolve relative paths in configs (trace files) from here instead of the enqueuer's folder")
    .option('--lock-duration <ms>', 'a point is taken back from a worker silent this long', positive, WORKER_DEFAULTS.lockDurationMs)
    .option('--stalled-interval <ms>', 'how often to look for points of dead workers', positive, WORKER_DEFAULTS.stalledIntervalMs)
    .option('--max-stalled <n>', 'a point whose worker died more often than this fails', positive, WORKER_DEFAULTS.maxStalledCount)
    .action(async (opts) => {
      const worker = startQueueWorker({
        target: { url: opts.queue, name: opts.queueName },
        concurrency: opts.concurrency,
        lockDurationMs: opts.lockDuration,
        stalledIntervalMs: opts.stalledInterval,
        maxStalledCount: opts.maxStalled,
        ...(opts.baseDir === undefined ? {} : { baseDir: opts.baseDir }),
        log: (line) => console.log(`worker: ${line}`),
      });
      // Printed once connected (scripts and tests wait for this line before enqueueing).
      await worker.ready;
      console.log(`worker: waiting for points on ${opts.queue} (queue ${opts.queueName}, concurrency ${opts.concurrency})`);
      // SIGINT / SIGTERM: finish the points running now (they are not lost either way: a
      // worker that dies is detected by the others' stalled check), then exit.
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          console.log('worker: stopping after the running points');
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await worker.close();
    });
}
