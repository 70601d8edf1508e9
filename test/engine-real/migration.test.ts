// Live KV migration between real instance processes (Llumnix's protocol over gRPC, KV blocks
// over the addon's transfer path): a migrated request's tokens equal an unmigrated run's,
// token by token, and its client stream has no gap and no duplicate.
import test from 'ava';
import type { LLMEngineOptions } from '../../backend/engine/llm-engine.ts';
import { parseSamplingParams } from '../../backend/engine/sampling-params.ts';
import type { SamplingParams } from '../../backend/engine/types.ts';
import type { MigrationParams } from '../../backend/manager/fleet.ts';
import { oneEngineOutputs, outputsWithForcedMigrations, privateModelCache } from './helpers.ts';

privateModelCache('migration');

const PROMPTS = Array.from({ length: 4 }, (_, i) => Array.from({ length: 6 + 5 * i }, (_, j) => (i * 53 + j * 11 + 2) % 500));

const migrating = (engine: Omit<LLMEngineOptions, 'model'>, migration: MigrationParams, sampling: SamplingParams): ReturnType<typeof outputsWithForcedMigrations> =>
  outputsWithForcedMigrations(PROMPTS, 'm', engine, migration, sampling);

const greedy = parseSamplingParams({ max_tokens: 160, temperature: 0, ignore_eos: true });

test('greedy: tokens and text of migrated requests equal an unmigrated run (one-stage migrations)', async (t) => {
  const expected = await oneEngineOutputs(PROMPTS, greedy);
  const { outs, fleet } = await migrating({}, { max_stages: 3, last_stage_max_blocks: 16, max_concurrency: 1 }, greedy);
  const committed = fleet.migrations.filter((m) => m.outcome === 'committed');
  t.true(committed.length >= 2, `migrations committed: ${JSON.stringify(fleet.migrations.map((m) => m.outcome))}`);
  t.deepEqual(outs, expected);
});

test('seeded sampling across multi-stage migrations (blocks of 4 tokens, last stage at 2 blocks) continues the same random stream', async (t) => {
  const seeded = parseSamplingParams({ max_tokens: 160, temperature: 0.9, top_p: 0.95, seed: 7, ignore_eos: true });
  const engine = { block_size_tokens: 4 };
  const expected = await oneEngineOutputs(PROMPTS, seeded, { engine });
  const { outs, fleet } = await migrating(engine, { max_stages: 6, last_stage_max_blocks: 2, max_concurrency: 1 }, seeded);
  const committed = fleet.migrations.filter((m) => m.outcome === 'committed');
  t.true(committed.length >= 2, `migrations committed: ${JSON.stringify(fleet.migrations.map((m) => m.outcome))}`);
  t.true(committed.some((m) => m.stages >= 2), `some migration copied in several stages: ${JSON.stringify(committed.map((m) => m.stages))}`);
  t.deepEqual(outs, expected);
});
