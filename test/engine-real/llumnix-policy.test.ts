// Llumnix's policies deciding on their own on a real fleet under memory pressure (issue 13's
// "done when"): round-robin sends every long request to instance 0, whose small KV cache then
// queues and preempts; the defrag pairing, triggered by the instances' step reports, moves
// requests to instance 1 by live KV migration. Nothing here is forced: the migrations are the
// policy's. Every output equals the same requests run on one roomy engine without migration.
import test from 'ava';
import { parseSamplingParams } from '../../backend/engine/sampling-params.ts';
import { Fleet } from '../../backend/manager/fleet.ts';
import { collect, oneEngineOutputs, privateModelCache } from './helpers.ts';

privateModelCache('llumnix-policy');

// Even requests (to instance 0 under round-robin) are long, odd ones short.
const REQUESTS = Array.from({ length: 8 }, (_, i) => ({
  prompt: Array.from({ length: i % 2 === 0 ? 120 : 8 }, (_, j) => (i * 41 + j * 13 + 7) % 500),
  sampling: parseSamplingParams({ max_tokens: i % 2 === 0 ? 200 : 16, temperature: 0.8, seed: 100 + i, ignore_eos: true }),
}));

test('the defrag pairing migrates requests off a memory-pressured instance by itself; outputs equal one engine without migration', async (t) => {
  const expected = await oneEngineOutputs(REQUESTS.map((r) => r.prompt), REQUESTS.map((r) => r.sampling));
  // 48 blocks of 16 tokens: the four long requests (120 + 200 tokens each) need 80 on instance 0.
  const fleet = await Fleet.start({
    instances: 2, engine: { model: 'tiny', num_kv_blocks: 48, block_size_tokens: 16 },
    scheduler: {
      dispatch: { kind: 'round-robin' }, pairing: { kind: 'defrag', migrate_threshold: 3, queued_demand: 'head-of-line' },
      selector: { kind: 'SR' }, trigger: { kind: 'every-reports', reports_per_instance: 1 },
    },
  });
  try {
    const outs = await Promise.all(REQUESTS.map((r, i) => collect(fleet.generate({ request_id: `q${i}`, prompt_token_ids: r.prompt, sampling: r.sampling }))));
    t.deepEqual([...fleet.dispatched], [4, 4]);
    const committed = fleet.migrations.filter((m) => m.outcome === 'committed');
    t.true(committed.length >= 1, `the policy migrated requests: ${JSON.stringify(fleet.migrations.map((m) => [m.from, m.to, m.outcome]))}`);
    t.deepEqual([committed[0]?.from, committed[0]?.to], [0, 1], 'the first from the pressured instance to the free one');
    t.deepEqual(outs, expected, 'token-identical to one engine without migration (seeded sampling)');
  } finally {
    await fleet.stop();
  }
});
