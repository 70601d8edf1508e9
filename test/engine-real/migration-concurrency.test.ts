// Migration concurrency > 1 (Llumnix's MAX_MIGRATION_CONCURRENCY): two live migrations out of
// one source at once move two different requests, both commit, and every output is
// token-identical to a run without migration, greedy and seeded (multi-stage copies).
import test from 'ava';
import { parseSamplingParams } from '../../backend/engine/sampling-params.ts';
import { Fleet } from '../../backend/manager/fleet.ts';
import { collect, oneEngineOutputs, privateModelCache } from './helpers.ts';

privateModelCache('migration-concurrency');

// Round-robin puts requests 0, 2, 4 on instance 0 (the source) and 1, 3, 5 on instance 1.
const PROMPTS = Array.from({ length: 6 }, (_, i) => Array.from({ length: 7 + 4 * i }, (_, j) => (i * 61 + j * 23 + 9) % 500));

// The multi-stage case allows many stages: on a loaded machine a stage's copy can trail the
// decoding for several rounds; this test is about two migrations at once, not how fast one converges.
// The migrations start at the 6th token of every request and must commit before the request
// ends there: with 120 tokens, runs under load (2 cores, two more kept busy) saw the multi-stage
// pair commit only at tokens 82 to 85, too close to the end for a machine whose copies trail
// the decoding more. 400 tokens leave over 300 after that.
for (const [name, options, engine, stages] of [
  ['greedy', { max_tokens: 400, temperature: 0, ignore_eos: true }, {}, { max_stages: 3, last_stage_max_blocks: 16 }],
  ['seeded, multi-stage', { max_tokens: 400, temperature: 0.9, top_p: 0.9, seed: 11, ignore_eos: true }, { block_size_tokens: 4 }, { max_stages: 64, last_stage_max_blocks: 4 }],
] as const) {
  test.serial(`${name}: two concurrent migrations from one source move two requests with token-identical outputs`, async (t) => {
    const sampling = parseSamplingParams(options);
    const expected = await oneEngineOutputs(PROMPTS, sampling, { engine });
    const fleet = await Fleet.start({
      instances: 2, engine: { model: 'tiny', ...engine }, migration: { ...stages, max_concurrency: 2 },
      scheduler: { dispatch: { kind: 'round-robin' }, pairing: { kind: 'defrag', migrate_threshold: 1e9, queued_demand: 'head-of-line' }, selector: { kind: 'LCFS' }, trigger: { kind: 'every-reports', reports_per_instance: 1e6 } },
    });
    try {
      let decoding!: () => void;
      const started = new Promise<void>((r) => (decoding = r));
      let producing = 0;
      const runs = PROMPTS.map((p, i) => collect(fleet.generate({ request_id: `c${i}`, prompt_token_ids: p, sampling }), (n) => n === 6 && ++producing === PROMPTS.length && decoding()));
      await started;
      const both = await Promise.all([fleet.migrate(0, 1), fleet.migrate(0, 1)]);
      const outs = await Promise.all(runs);
      t.deepEqual(both.map((m) => m.outcome), ['committed', 'committed'], JSON.stringify(both));
      t.not(both[0].request_id, both[1].request_id, 'the source picked a different request for each');
      t.true(both.every((m) => ['c0', 'c2', 'c4'].includes(m.request_id)), 'both came from the source');
      t.true(Math.max(both[0].started_s, both[1].started_s) < Math.min(both[0].ended_s, both[1].ended_s), 'the two were in flight together');
      if (stages.max_stages > 3) t.true(both.some((m) => m.stages >= 2), `copied in stages: ${both.map((m) => m.stages).join(',')}`);
      t.deepEqual(outs, expected);
    } finally {
      await fleet.stop();
    }
  });
}
