/** sweep/queue/: a sweep's points as BullMQ jobs on Redis, run by `fleetlab worker` on any machine. */
export { DEFAULT_QUEUE_NAME, parseRedisUrl, type QueueTarget } from './connection.ts';
export { ENQUEUE_DEFAULTS, runQueuedSweep, type QueuedOutcome, type QueuedSweepOptions } from './enqueue.ts';
export { packFolder, unpackFolder, type PackedFiles } from './point-files.ts';
export { pointJobId, type PointJobData, type PointJobResult } from './point-job.ts';
export { startQueueWorker, WORKER_DEFAULTS, type QueueWorker, type QueueWorkerOptions } from './queue-worker.ts';
