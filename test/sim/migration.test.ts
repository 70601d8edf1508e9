import test from 'ava';
import type { MigrationRecord } from '../../sim/index.ts';
import { makeCluster, pinnedScheduler, spec } from './helpers.ts';

/** Runs until `request` has produced `tokens` tokens, then starts a migration 0 → 1. */
function migrateAfter(
  setup: Parameters<typeof makeCluster>[0],
  workload: ReturnType<typeof spec>[],
  tokens: number,
  onStarted?: (ctx: ReturnType<typeof makeCluster>) => void,
): { record: MigrationRecord | undefined; ctx: ReturnType<typeof makeCluster> } {
  const ctx = makeCluster(setup);
  const { sim, cluster } = ctx;
  cluster.load(workload);
  let started = false;
  sim.run({
    afterEach: () => {
      const r = cluster.requests[0];
      if (!started && r !== undefined && r.generated >= tokens && r.phase === 'running') {
        started = true;
        const refused = cluster.tryMigrate(0, 1);
        if (refused !== undefined) throw new Error(refused);
        onStarted?.(ctx);
      }
    },
  });
  return { record: cluster.migrations[0], ctx };
}

test('a committed live migration moves the request with its blocks and an unbroken token stream', (t) => {
  const scheduler = pinnedScheduler(() => 0);
  const { record, ctx } = migrateAfter({ instances: 2, scheduler }, [spec(0, 0, 16 * 30, 200)], 10);
  const r = ctx.cluster.requests[0];
  t.is(record?.status, 'committed');
  t.is(record?.stages, 2);
  t.is(r?.instance, 1);
  t.is(r?.generated, 200);
  t.is(r?.migrations, 1);
  // Downtime is one small copy (stage overhead + a block or two), far below the whole copy.
  t.true((record?.downtime_s ?? 1) < 0.02, `downtime ${record?.downtime_s}`);
  t.true((record?.blocks_copied ?? 0) >= 30);
  for (const instance of ctx.cluster.instances) {
    instance.engine.checkBlocks();
    t.is(instance.engine.free_blocks, 100);
  }
});

test('stop-and-copy (max_stages = 1) suspends for the whole copy', (t) => {
  const { record } = migrateAfter(
    { instances: 2, scheduler: pinnedScheduler(() => 0), migration: { max_stages: 1 } },
    [spec(0, 0, 16 * 30, 200)],
    10,
  );
  t.is(record?.status, 'committed');
  t.is(record?.stages, 1);
  t.true((record?.downtime_s ?? 0) > 0.08, `downtime ${record?.downtime_s}`);
});

test('abort: the destination lacks blocks above its watermark at PRE-ALLOC', (t) => {
  // Instance 1 is nearly full with its own long request.
  const scheduler = pinnedScheduler((request) => (request.id === 0 ? 0 : 1));
  const { record, ctx } = migrateAfter(
    { instances: 2, scheduler },
    [spec(0, 0, 16 * 30, 100), spec(1, 0, 16 * 90, 50)],
    5,
  );
  t.is(record?.status, 'aborted');
  t.is(record?.reason, 'dst-no-memory');
  t.is(ctx.cluster.requests[0]?.instance, 0);
  t.is(ctx.cluster.requests[0]?.generated, 100);
});

test('abort: the request finishes while its KV cache is being copied', (t) => {
  const { record, ctx } = migrateAfter(
    { instances: 2, scheduler: pinnedScheduler(() => 0), migration: { bandwidth_gbps: 0.05 } },
    [spec(0, 0, 16 * 30, 14)],
    12,
  );
  t.is(record?.status, 'aborted');
  t.is(record?.reason, 'request-finished');
  t.is(ctx.cluster.requests[0]?.finish_s !== undefined, true);
  for (const instance of ctx.cluster.instances) t.is(instance.engine.free_blocks, 100);
});

test('abort: the request is preempted on the source during a stage', (t) => {
  // Two requests fill instance 0; the later arrival (the one migrating) is preempted when
  // the cache runs out during the slow stage-0 copy.
  const scheduler = pinnedScheduler(() => 0);
  const ctx = makeCluster({ instances: 2, scheduler, limits: { total_blocks: 40 }, migration: { bandwidth_gbps: 0.02 } });
  ctx.cluster.load([spec(0, 0, 16 * 18 - 2, 300), spec(1, 0, 16 * 18 - 2, 300)]);
  let started = false;
  ctx.sim.run({
    afterEach: () => {
      const late = ctx.cluster.requests[1];
      if (!started && late !== undefined && late.generated >= 1 && late.phase === 'running' && !late.prefilling) {
        started = true;
        // The pinned selector picks the last running request: request 1, the latest arrival.
        t.is(ctx.cluster.tryMigrate(0, 1), undefined);
      }
    },
  });
  const record = ctx.cluster.migrations[0];
  t.is(record?.status, 'aborted');
  t.is(record?.reason, 'request-preempted');
  t.true((ctx.cluster.requests[1]?.preemptions ?? 0) >= 1);
  t.is(ctx.cluster.requests[1]?.generated, 300);
});

test('abort: the remainder never falls under the last-stage limit within max_stages', (t) => {
  const { record, ctx } = migrateAfter(
    {
      instances: 2,
      scheduler: pinnedScheduler(() => 0),
      migration: { max_stages: 2, last_stage_max_blocks: 0, bandwidth_gbps: 0.05 },
    },
    [spec(0, 0, 16 * 30, 400)],
    10,
  );
  t.is(record?.status, 'aborted');
  t.is(record?.reason, 'max-stages');
  t.is(ctx.cluster.requests[0]?.instance, 0);
  t.is(ctx.cluster.instances[1]?.engine.free_blocks, 100);
});

test('a second migration on a busy instance is refused while the first is in flight', (t) => {
  migrateAfter({ instances: 3, scheduler: pinnedScheduler(() => 0) }, [spec(0, 0, 16 * 30, 200), spec(1, 0, 64, 200)], 5, ({ cluster }) => {
    t.is(cluster.tryMigrate(0, 2), 'migration limit');
    t.is(cluster.tryMigrate(2, 1), 'migration limit');
  });
});

/** One request's token stream, recorded event by event: when each token came and where from. */
interface TokenStream {
  times_s: number[];
  instances: number[];
  /** Tokens gained in one event beyond the first (a duplicate). */
  extra: number;
}

/**
 * Migrates request 0 after `tokens` tokens (0 → 1) and records its stream. A second request
 * keeps instance 1 decoding, so the destination has steps of its own when the request lands.
 */
function migratedStream(tokens: number, migration: Parameters<typeof makeCluster>[0]['migration'] = {}) {
  const ctx = makeCluster({ instances: 2, scheduler: pinnedScheduler((r) => (r.id === 0 ? 0 : 1)), migration });
  const { sim, cluster } = ctx;
  cluster.load([spec(0, 0, 16 * 30, 120), spec(1, 0, 64, 300)]);
  const stream: TokenStream = { times_s: [], instances: [], extra: 0 };
  let seen = 0;
  let started = false;
  sim.run({
    afterEach: () => {
      const r = cluster.requests[0];
      if (r === undefined) return;
      if (r.generated > seen) {
        stream.extra += r.generated - seen - 1;
        stream.times_s.push(sim.now_s);
        stream.instances.push(r.instance);
        seen = r.generated;
      }
      if (!started && r.generated >= tokens && r.phase === 'running') {
        started = true;
        mustStart(cluster.tryMigrate(0, 1));
      }
    },
  });
  return { stream, record: cluster.migrations[0], request: cluster.requests[0] };
}

function mustStart(refusal: string | undefined): void {
  if (refusal !== undefined) throw new Error(`migration refused: ${refusal}`);
}

// Mutation this catches: a token emitted when the request lands (`r.emitToken(now)` in
// `commit()`), which the final `generated` alone cannot see: `done` stops the request at
// output_tokens either way, so the duplicate replaces a real decode step.
test('token stream across a committed migration: every token once, in time order, none during the downtime', (t) => {
  for (const migration of [{}, { max_stages: 1 }, { max_stages: 3, bandwidth_gbps: 0.5 }]) {
    const { stream, record, request } = migratedStream(10, migration);
    const label = JSON.stringify(migration);
    t.is(record?.status, 'committed', label);
    t.is(stream.extra, 0, `${label}: no event gave two tokens at once`);
    t.is(stream.times_s.length, 120, `${label}: one event per token`);
    for (let i = 1; i < stream.times_s.length; i++) t.true((stream.times_s[i] ?? 0) > (stream.times_s[i - 1] ?? 0), `${label}: token ${i}`);
    // Tokens come from the source, then from the destination: one switch, at the migration.
    const switchAt = stream.instances.indexOf(1);
    t.true(switchAt >= 10, label);
    t.true(stream.instances.slice(0, switchAt).every((i) => i === 0) && stream.instances.slice(switchAt).every((i) => i === 1), label);
    t.is(request?.migrations, 1);
    // Suspended from `ended_s − downtime_s` until the commit at `ended_s`: no token in between,
    // nor at the commit itself; the first token on the destination comes from a later step.
    const suspended = (record?.ended_s ?? 0) - (record?.downtime_s ?? 0);
    const inDowntime = stream.times_s.filter((s) => s > suspended + 1e-12 && s <= (record?.ended_s ?? 0));
    t.deepEqual(inDowntime, [], `${label}: tokens during the downtime`);
    t.true((stream.times_s[switchAt] ?? 0) > (record?.ended_s ?? 0), label);
    t.true((stream.times_s[switchAt - 1] ?? Infinity) <= suspended + 1e-12, `${label}: the source's last token precedes the suspension`);
  }
});

test('control_ms: the first stage starts that long after the decision; the migration takes that much longer, once', (t) => {
  const run = (control_ms: number | undefined) =>
    migrateAfter({ instances: 2, scheduler: pinnedScheduler(() => 0), migration: control_ms === undefined ? {} : { control_ms } }, [spec(0, 0, 16 * 30, 200)], 10).record;
  const plain = run(undefined);
  const zero = run(0);
  const slow = run(100);
  t.deepEqual(zero, plain, 'control_ms 0 is the same migration as none');
  t.is(slow?.status, 'committed');
  t.is(slow?.started_s, plain?.started_s, 'the decision time is the same');
  t.is(slow?.stages, plain?.stages);
  // The request keeps decoding during the control time, so the stages copy a few blocks more
  // (and the last stage waits for a step boundary): more than 100 ms longer, far less than 200
  // (the control time once per stage would be 2 × 100 ms).
  const duration = (r: MigrationRecord | undefined): number => (r === undefined ? Number.NaN : r.ended_s - r.started_s);
  t.true((slow?.blocks_copied ?? 0) >= (plain?.blocks_copied ?? Infinity), `blocks ${slow?.blocks_copied} against ${plain?.blocks_copied}`);
  t.true(duration(slow) >= duration(plain) + 0.1 - 1e-9, `with 100 ms of control ${duration(slow)} s, without ${duration(plain)} s`);
  t.true(duration(slow) < duration(plain) + 0.15, `the control time is added once, not per stage: ${duration(slow)} s against ${duration(plain)} s`);
});

test('control_ms: a request that finishes during the control time aborts the migration before any block moves', (t) => {
  const { record, ctx } = migrateAfter(
    { instances: 2, scheduler: pinnedScheduler(() => 0), migration: { control_ms: 500 } },
    [spec(0, 0, 16 * 30, 14)],
    12,
  );
  t.is(record?.status, 'aborted');
  t.is(record?.reason, 'request-finished');
  t.is(record?.blocks_copied, 0);
  t.is(ctx.cluster.requests[0]?.instance, 0);
  for (const instance of ctx.cluster.instances) instance.engine.checkBlocks();
  t.is(ctx.cluster.instances[1]?.engine.free_blocks, 100, 'nothing was reserved on the destination');
});

test('control_ms must not be negative', (t) => {
  t.throws(() => migrateAfter({ instances: 2, scheduler: pinnedScheduler(() => 0), migration: { control_ms: -1 } }, [spec(0, 0, 16, 4)], 1), { message: /control_ms/ });
});
