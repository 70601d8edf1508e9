// The snapshot last stage (`last_stage_mode: 'snapshot'`) between real instance processes: the
// source never stops; the destination commits a snapshot, catches up from the tokens the
// source streams to it, and the client switches to it once caught up. The outputs equal an
// unmigrated run's token for token (greedy and seeded, prompts of several lengths, one-stage
// and multi-stage copies); a destination that dies while catching up leaves the request
// running on its source, unchanged.
import test from 'ava';
import { LLMEngine, type LLMEngineOptions } from '../../backend/engine/llm-engine.ts';
import { parseSamplingParams } from '../../backend/engine/sampling-params.ts';
import type { GenerationDelta, SamplingParams } from '../../backend/engine/types.ts';
import { startInstanceServer, type InstanceServer } from '../../backend/instance/instance-server.ts';
import { Fleet, type MigrationParams } from '../../backend/manager/fleet.ts';
import { InstanceClient } from '../../backend/rpc/instance-client.ts';
import { collect, oneEngineOutputs, outputsWithForcedMigrations, privateModelCache, until } from './helpers.ts';

privateModelCache('migration-snapshot');

/** Prompts of 6 to 300 tokens: their last stage's snapshot falls in blocks 1 to 20. */
const PROMPTS = [6, 45, 130, 300].map((n, i) => Array.from({ length: n }, (_, j) => (i * 53 + j * 11 + 2) % 500));

const migrating = (engine: Omit<LLMEngineOptions, 'model'>, migration: MigrationParams, sampling: SamplingParams): ReturnType<typeof outputsWithForcedMigrations> =>
  outputsWithForcedMigrations(PROMPTS, 's', engine, migration, sampling);

test('greedy: migrated requests (snapshot last stage) equal an unmigrated run, token for token and in text', async (t) => {
  const greedy = parseSamplingParams({ max_tokens: 160, temperature: 0, ignore_eos: true });
  const expected = await oneEngineOutputs(PROMPTS, greedy);
  const { outs, fleet } = await migrating({}, { max_stages: 3, last_stage_max_blocks: 16, max_concurrency: 1, last_stage_mode: 'snapshot' }, greedy);
  const committed = fleet.migrations.filter((m) => m.outcome === 'committed');
  t.true(committed.length >= 2, `migrations committed: ${JSON.stringify(fleet.migrations.map((m) => `${m.outcome} ${m.detail}`))}`);
  t.true(committed.every((m) => m.downtime_ms === 0 && m.last_stage?.suspend_wait_ms === 0), 'the source never suspended the request');
  t.log(`tokens each source decoded after its snapshot: ${committed.map((m) => m.catch_up_tokens).join(', ')}`);
  t.deepEqual(outs, expected);
});

test('seeded sampling across multi-stage snapshot migrations (blocks of 4 tokens) continues the same random stream', async (t) => {
  const seeded = parseSamplingParams({ max_tokens: 160, temperature: 0.9, top_p: 0.95, seed: 7, ignore_eos: true });
  const engine = { block_size_tokens: 4 };
  const expected = await oneEngineOutputs(PROMPTS, seeded, { engine });
  const { outs, fleet } = await migrating(engine, { max_stages: 6, last_stage_max_blocks: 2, max_concurrency: 1, last_stage_mode: 'snapshot' }, seeded);
  const committed = fleet.migrations.filter((m) => m.outcome === 'committed');
  t.true(committed.length >= 2, `migrations committed: ${JSON.stringify(fleet.migrations.map((m) => `${m.outcome} ${m.detail}`))}`);
  t.true(committed.some((m) => m.stages >= 2), `some migration copied in several stages: ${JSON.stringify(committed.map((m) => m.stages))}`);
  t.deepEqual(outs, expected);
});

test('a destination that dies while catching up leaves the request on its source, unchanged (aborted-dst-failed)', async (t) => {
  const sampling = parseSamplingParams({ max_tokens: 300, temperature: 0.8, seed: 3, ignore_eos: true });
  const prompt = PROMPTS[2]!;
  const [want] = await oneEngineOutputs([prompt], sampling);
  const src = await LLMEngine.create({ model: 'tiny' });
  const dst = await LLMEngine.create({ model: 'tiny' });
  const s = await startInstanceServer(src, '127.0.0.1', 0);
  const d: InstanceServer = await startInstanceServer(dst, '127.0.0.1', 0);
  const client = new InstanceClient(`127.0.0.1:${s.port}`);
  try {
    let go: () => void;
    const decoding = new Promise<void>((r) => (go = r));
    const deltas: GenerationDelta[] = [];
    const run = collect((async function* () {
      for await (const x of client.generate({ request_id: 'x', prompt_token_ids: prompt, sampling })) {
        deltas.push(x);
        yield x;
      }
    })(), (n) => n === 3 && go());
    await decoding;
    const reply = client.migrateOut({
      dst_address: `127.0.0.1:${d.port}`, dst_kv_host: '127.0.0.1', dst_kv_port: d.kv_port, selector_json: '{"kind":"LCFS"}',
      draining: false, max_stages: 3, last_stage_max_blocks: 16, last_stage_mode: 'snapshot',
    });
    // Committed there (the destination runs it) while the source still decodes: kill it.
    await until('the destination committed the snapshot', () => dst.sequence('x') !== undefined);
    await d.stop();
    const r = await reply;
    t.is(r.outcome, 'aborted-dst-failed', r.detail);
    t.regex(r.detail, /after the snapshot COMMIT/);
    const out = await run;
    t.deepEqual(out, want);
    t.true(deltas.every((x) => x.migrated_to === undefined), 'the source never handed the request over');
    t.is(src.core.free_blocks, src.core.limits.total_blocks, 'the source freed its blocks at the end');
  } finally {
    client.close();
    await s.stop();
    await d.stop();
  }
});

test('without a manager to stop it, the source runs the request to its end and the destination\'s copy ends too, freeing its blocks', async (t) => {
  const sampling = parseSamplingParams({ max_tokens: 80, temperature: 0, ignore_eos: true });
  const prompt = PROMPTS[1]!;
  const [want] = await oneEngineOutputs([prompt], sampling);
  const src = await LLMEngine.create({ model: 'tiny' });
  const dst = await LLMEngine.create({ model: 'tiny' });
  const s = await startInstanceServer(src, '127.0.0.1', 0);
  const d = await startInstanceServer(dst, '127.0.0.1', 0);
  const client = new InstanceClient(`127.0.0.1:${s.port}`);
  const dclient = new InstanceClient(`127.0.0.1:${d.port}`);
  try {
    let go: () => void;
    const decoding = new Promise<void>((r) => (go = r));
    const run = collect(client.generate({ request_id: 'y', prompt_token_ids: prompt, sampling }), (n) => n === 3 && go());
    await decoding;
    const r = await client.migrateOut({
      dst_address: `127.0.0.1:${d.port}`, dst_kv_host: '127.0.0.1', dst_kv_port: d.kv_port, selector_json: '{"kind":"LCFS"}',
      draining: false, max_stages: 3, last_stage_max_blocks: 16, last_stage_mode: 'snapshot',
    });
    t.is(r.outcome, 'committed', r.detail);
    t.true((r.catch_up_tokens ?? 0) > 0, `the source decoded after its snapshot: ${r.catch_up_tokens}`);
    t.deepEqual(await run, want);
    // The destination's copy: the same tokens from the snapshot on, then its end.
    const there = await collect(dclient.attach('y'));
    t.deepEqual(there.ids, want!.ids.slice(want!.ids.length - there.ids.length));
    await until('the destination freed the copy\'s blocks', () => dst.core.free_blocks === dst.core.limits.total_blocks);
    t.pass();
  } finally {
    client.close();
    dclient.close();
    await s.stop();
    await d.stop();
  }
});

test('policy-driven snapshot migrations off a memory-pressured instance (defrag, SR, seeded) equal one engine without migration', async (t) => {
  // As llumnix-policy.test.ts: four long requests need 80 of instance 0's 48 blocks; it queues and preempts, and the policy moves requests off it.
  const requests = Array.from({ length: 8 }, (_, i) => ({
    prompt: Array.from({ length: i % 2 === 0 ? 120 : 8 }, (_, j) => (i * 41 + j * 13 + 7) % 500),
    sampling: parseSamplingParams({ max_tokens: i % 2 === 0 ? 200 : 16, temperature: 0.8, seed: 100 + i, ignore_eos: true }),
  }));
  const expected = await oneEngineOutputs(requests.map((r) => r.prompt), requests.map((r) => r.sampling));
  const fleet = await Fleet.start({
    instances: 2, engine: { model: 'tiny', num_kv_blocks: 48, block_size_tokens: 16 },
    migration: { max_stages: 3, last_stage_max_blocks: 16, max_concurrency: 1, last_stage_mode: 'snapshot' },
    scheduler: {
      dispatch: { kind: 'round-robin' }, pairing: { kind: 'defrag', migrate_threshold: 3, queued_demand: 'head-of-line' },
      selector: { kind: 'SR' }, trigger: { kind: 'every-reports', reports_per_instance: 1 },
    },
  });
  try {
    const outs = await Promise.all(requests.map((r, i) => collect(fleet.generate({ request_id: `p${i}`, prompt_token_ids: r.prompt, sampling: r.sampling }))));
    const committed = fleet.migrations.filter((m) => m.outcome === 'committed');
    t.true(committed.length >= 1, `the policy migrated requests: ${JSON.stringify(fleet.migrations.map((m) => [m.from, m.to, m.outcome, m.detail]))}`);
    t.deepEqual(outs, expected);
  } finally {
    await fleet.stop();
  }
});
