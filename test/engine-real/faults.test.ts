// Faults lose nothing: an instance process killed mid-stream, its requests resume on another
// instance from the tokens already produced (KV recomputed, output state replayed, random
// stream fast-forwarded), and every client still gets one complete, gap-free answer.
import test from 'ava';
import { parseSamplingParams } from '../../backend/engine/sampling-params.ts';
import { Fleet } from '../../backend/manager/fleet.ts';
import { collect, oneEngineOutputs, privateModelCache, until } from './helpers.ts';

privateModelCache('faults');

const PROMPTS = Array.from({ length: 4 }, (_, i) => Array.from({ length: 5 + 4 * i }, (_, j) => (i * 71 + j * 13 + 5) % 500));

for (const [name, options] of [
  ['greedy', { max_tokens: 120, temperature: 0, ignore_eos: true }],
  ['seeded sampling', { max_tokens: 120, temperature: 0.8, top_k: 50, seed: 3, ignore_eos: true }],
] as const) {
  test(`${name}: an instance killed mid-stream loses no token`, async (t) => {
    const sampling = parseSamplingParams(options);
    const expected = await oneEngineOutputs(PROMPTS, sampling, { id_prefix: 'r' });
    const fleet = await Fleet.start({ instances: 2, engine: { model: 'tiny' }, scheduler: { dispatch: { kind: 'round-robin' } } });
    try {
      let midway: () => void;
      const decoding = new Promise<void>((r) => (midway = r));
      const runs = PROMPTS.map((p, i) => collect(fleet.generate({ request_id: `k${i}`, prompt_token_ids: p, sampling }), (n) => n === 10 && midway()));
      await decoding;
      process.kill(fleet.pids[0]!, 'SIGKILL');
      const outs = await Promise.all(runs);
      t.true(fleet.failovers >= 1, `requests resumed elsewhere: ${fleet.failovers}`);
      t.deepEqual(outs, expected);
    } finally {
      await fleet.stop();
    }
  });
}

test('a dead destination aborts the migration; the request finishes on its source unchanged', async (t) => {
  const sampling = parseSamplingParams({ max_tokens: 120, temperature: 0, ignore_eos: true });
  const [expected] = await oneEngineOutputs(PROMPTS, sampling, { id_prefix: 'r' });
  const fleet = await Fleet.start({
    instances: 2, engine: { model: 'tiny' },
    scheduler: { dispatch: { kind: 'round-robin' }, pairing: { kind: 'defrag', migrate_threshold: 1e9, queued_demand: 'head-of-line' }, selector: { kind: 'LCFS' }, trigger: { kind: 'every-reports', reports_per_instance: 1e6 } },
  });
  try {
    let midway: () => void;
    const decoding = new Promise<void>((r) => (midway = r));
    const run = collect(fleet.generate({ request_id: 'd0', prompt_token_ids: PROMPTS[0]!, sampling }), (n) => n === 5 && midway());
    await decoding;
    process.kill(fleet.pids[1]!, 'SIGKILL');
    // Waited for as the fleet seeing the exit, not as a pause: after a fixed 200 ms the fleet
    // had sometimes not heard of it yet, and the migration went to the source instead, whose
    // answer then depended on how far the request had got there (a run under load failed). The
    // source's own abort on a dead destination is pinned by migration-last-stage.test.ts.
    await until('the fleet saw instance 1 exit', () => !fleet.members().some((m) => m.id === 1));
    await t.throwsAsync(fleet.migrate(0, 1), { message: /cannot migrate from 0 to 1: both must be live instances/ });
    t.deepEqual(await run, expected);
  } finally {
    await fleet.stop();
  }
});
