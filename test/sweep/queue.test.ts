import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import test from 'ava';
import { mergedCsv, mergeSweeps, resolveSweep, runSweep, type Sweep } from '../../sweep/index.ts';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { packFolder, parseRedisUrl, pointJobId, runQueuedSweep, startQueueWorker, unpackFolder } from '../../sweep/queue/index.ts';
import { pointJobData } from '../../sweep/queue/point-job.ts';
import { tempDir, tinySweep } from './helpers.ts';
import { freePort, hasRedisServer, REDIS_MISSING, type RedisServer, startRedis, stopChild } from './redis-server.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const available = hasRedisServer();
const queueTest = available ? test.serial : test.skip;
if (!available) console.warn(`queue tests skipped: ${REDIS_MISSING}`);

let redis: RedisServer | undefined;
test.before(async () => {
  if (available) redis = await startRedis();
});
test.after.always(async () => {
  await redis?.stop();
});

/** Every file of every point folder, by `id/name`: what "byte-identical" compares. */
function folderBytes(out: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const id of readdirSync(join(out, 'points')).filter((n) => !n.startsWith('.'))) {
    for (const name of readdirSync(join(out, 'points', id))) files[`${id}/${name}`] = readFileSync(join(out, 'points', id, name), 'latin1');
  }
  return files;
}

interface WorkerProcess {
  readonly child: ChildProcess;
  /** Resolves with the first stdout line matching `pattern` (lines seen before count too). */
  line(pattern: RegExp): Promise<string>;
  readonly lines: string[];
}

/** `fleetlab worker` as a separate process, as on another machine; short lock / stalled times. */
function startWorker(url: string, queueName: string): WorkerProcess {
  const child = spawn(
    process.execPath,
    ['bin/fleetlab.js', 'worker', '--queue', url, '--queue-name', queueName, '--concurrency', '1', '--lock-duration', '3000', '--stalled-interval', '1000'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      for (const w of waiters.filter((w) => w.pattern.test(line))) w.resolve(line);
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => lines.push(`stderr: ${chunk.toString()}`));
  return {
    child,
    lines,
    line: (pattern) =>
      new Promise((resolve) => {
        const seen = lines.find((l) => pattern.test(l));
        if (seen !== undefined) resolve(seen);
        else waiters.push({ pattern, resolve });
      }),
  };
}

test('redis URLs are checked, naming the flag and the value', (t) => {
  t.is(parseRedisUrl('redis://10.0.0.5:6379/2'), 'redis://10.0.0.5:6379/2');
  t.throws(() => parseRedisUrl('http://x:1'), { message: /--queue: expected a redis:\/\/ or rediss:\/\/ URL, received "http:\/\/x:1"/ });
  t.throws(() => parseRedisUrl('localhost:6379'), { message: /--queue/ });
});

test('an unreachable Redis fails the enqueuer with the URL, not a silent wait', async (t) => {
  const url = `redis://127.0.0.1:${await freePort()}`;
  await t.throwsAsync(runQueuedSweep(tinySweep(10), { out: tempDir(), target: { url, name: 'none' }, connectTimeoutMs: 500 }), {
    message: new RegExp(`cannot reach Redis at ${url} within 0.5 s .*ECONNREFUSED`),
  });
});

test('a point folder packed by a worker is unpacked byte for byte, and damage is refused', async (t) => {
  const sweep = tinySweep(50);
  const out = tempDir();
  await runSweep({ ...sweep, points: sweep.points.slice(0, 1) }, { out, workers: 1 });
  const id = sweep.points[0]!.id;
  const packed = packFolder(join(out, 'points', id));
  const copy = tempDir();
  unpackFolder(packed, join(copy, 'points', id));
  t.deepEqual(folderBytes(copy), folderBytes(out));
  const damaged = { ...packed, 'summary.json': packText('{}\n') };
  t.throws(() => unpackFolder(damaged, join(tempDir(), 'points', id)), { message: /arrived damaged: .*summary\.json/ });
});

const packText = (text: string): string => gzipSync(Buffer.from(text)).toString('base64');

queueTest('a sweep through the queue with 2 workers is byte-identical to a local sweep', async (t) => {
  const url = redis!.url;
  const sweep = tinySweep();
  // Workers boot (transpile, connect) while the local sweep runs.
  const workers = [startWorker(url, 'identical'), startWorker(url, 'identical')];
  try {
    const local = tempDir();
    await runSweep(sweep, { out: local, workers: 1 });
    // Both connected before the points go in: one that booted slower than the local sweep ran
    // (a loaded machine) could otherwise find every point taken by the other.
    await Promise.all(workers.map((w) => w.line(/^worker: waiting for points/)));
    const queued = tempDir();
    const outcomes = await runQueuedSweep(sweep, { out: queued, target: { url, name: 'identical' } });
    t.deepEqual(outcomes.map((o) => o.status), ['ran', 'ran', 'ran', 'ran']);
    t.deepEqual(folderBytes(queued), folderBytes(local));
    t.is(readFileSync(join(queued, 'sweep.json'), 'utf8'), readFileSync(join(local, 'sweep.json'), 'utf8'));
    t.is(mergedCsv(mergeSweeps([queued])), mergedCsv(mergeSweeps([local])));
    // Both workers took points: the work was shared, not done by one.
    for (const w of workers) t.true(w.lines.some((l) => l.startsWith('worker: finished')), w.lines.join('\n'));
    // Enqueueing the same points again into a fresh folder runs nothing: same job ids, results kept in Redis.
    const again = tempDir();
    const second = await runQueuedSweep(sweep, { out: again, target: { url, name: 'identical' } });
    t.deepEqual(second.map((o) => o.job_id), outcomes.map((o) => o.job_id));
    t.deepEqual(folderBytes(again), folderBytes(local));
    const started = workers.flatMap((w) => w.lines.filter((l) => l.startsWith('worker: started')));
    t.is(started.length, sweep.points.length);
    // A point that throws on the workers is retried, then named with the worker's error.
    const p = sweep.points[0]!;
    const missing = { ...p, id: 'missing-trace', config: { ...p.config, workload: { ...p.config.workload, arrival: { kind: 'replay', trace: { format: 'azure', path: 'no-such-trace.csv' } } } } };
    await t.throwsAsync(
      runQueuedSweep({ ...sweep, points: [missing as never] }, { out: tempDir(), target: { url, name: 'identical' }, attempts: 2, backoffMs: 50 }),
      { message: /1 point\(s\) failed:\nmissing-trace: .*failed on the workers: .*no-such-trace\.csv/ },
    );
    const failures = workers.flatMap((w) => w.lines.filter((l) => l.startsWith('worker: failed missing-trace')));
    t.is(failures.length, 2, 'two attempts, as asked');
  } finally {
    await Promise.all(workers.map((w) => stopChild(w.child)));
  }
});

queueTest('a worker killed mid-point: the point is retried elsewhere and results stay identical', async (t) => {
  const url = redis!.url;
  const big = tinySweep(5000);
  const sweep: Sweep = { ...big, points: big.points.slice(0, 2) };
  // The first worker boots while the local sweep runs.
  const doomed = startWorker(url, 'kill');
  let survivor: WorkerProcess | undefined;
  try {
    const local = tempDir();
    await runSweep(sweep, { out: local, workers: 1 });
    const queued = tempDir();
    const running = runQueuedSweep(sweep, { out: queued, target: { url, name: 'kill' } });
    const started = await doomed.line(/^worker: started /);
    await stopChild(doomed.child, 'SIGKILL');
    const killedId = /^worker: started (\S+)/.exec(started)?.[1];
    t.false(doomed.lines.some((l) => l.startsWith(`worker: finished ${killedId}`)), 'the point must still be running when its worker is killed');
    survivor = startWorker(url, 'kill');
    const outcomes = await running;
    const killed = outcomes.find((o) => o.point.id === killedId);
    t.truthy(killed, `${killedId} is a point of the sweep`);
    t.true((killed?.stalled ?? 0) >= 1, 'the stalled check put the killed point back in the queue');
    t.true(survivor.lines.some((l) => l.startsWith(`worker: started ${killedId}`)), survivor.lines.join('\n'));
    t.deepEqual(folderBytes(queued), folderBytes(local));
    t.is(mergedCsv(mergeSweeps([queued])), mergedCsv(mergeSweeps([local])));
  } finally {
    await stopChild(doomed.child, 'SIGKILL');
    if (survivor !== undefined) await stopChild(survivor.child);
  }
});

queueTest('a worker of another fleetlab version refuses a point at once, without retries', async (t) => {
  const url = redis!.url;
  const target = { url, name: 'versions' };
  const lines: string[] = [];
  const worker = startQueueWorker({ target, concurrency: 1, log: (l) => lines.push(l) });
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  const queue = new Queue(target.name, { connection });
  const eventsConnection = new Redis(url, { maxRetriesPerRequest: null });
  const events = new QueueEvents(target.name, { connection: eventsConnection });
  try {
    await events.waitUntilReady();
    const [resolved] = resolveSweep(tinySweep(10), tempDir());
    const data = { ...pointJobData('old', resolved!, ROOT), fleetlab_version: '0.0.0-other' };
    const job = await queue.add('p', data, { jobId: pointJobId(resolved!.config, ROOT), attempts: 3 });
    await t.throwsAsync(job.waitUntilFinished(events), { message: /enqueued by fleetlab 0\.0\.0-other, this worker is .*same version everywhere/ });
    t.is((await queue.getJob(job.id!))?.attemptsMade, 1);
    t.true(lines.some((l) => l.startsWith(`refused ${resolved!.point.id}`)));
  } finally {
    await worker.close();
    await events.close();
    await queue.close();
    await Promise.all([connection.quit(), eventsConnection.quit()]);
  }
});
