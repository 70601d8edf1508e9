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
