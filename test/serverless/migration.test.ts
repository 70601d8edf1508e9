import test from 'ava';
import { liveMigrationConfig, liveMigrationExample, QWEN_1_5B, QWEN_3B } from '../../artifact/serverlessllm/live-migration.ts';
import { runServerless, type ServerlessRequest, type ServerlessRunOptions } from '../../sim/serverless/index.ts';

/** Every token emitted exactly once, in time order, and instances change only by migration. */
function assertStream(t: import('ava').ExecutionContext, r: ServerlessRequest): void {
  t.is(r.generated, r.output_tokens, `request ${r.id} generated all its tokens`);
  t.is(r.token_times_s.length, r.output_tokens, `request ${r.id}: one emission per token`);
  for (let i = 1; i < r.token_times_s.length; i++) t.true((r.token_times_s[i] ?? 0) > (r.token_times_s[i - 1] ?? 0), `request ${r.id} token ${i}`);
  let switches = 0;
  for (let i = 1; i < r.token_instances.length; i++) if (r.token_instances[i] !== r.token_instances[i - 1]) switches++;
  t.is(switches, r.migrations, `request ${r.id}: instance changes only at migrations`);
}

function example(overrides: { delta_tokens?: number; max_rounds?: number; large_output?: number }, options: ServerlessRunOptions = {}) {
  const base = liveMigrationConfig(true);
  return runServerless(
    { ...base, migration: { delta_tokens: overrides.delta_tokens ?? 20, max_rounds: overrides.max_rounds ?? 5 } },
    [
      { id: 0, model: QWEN_3B, arrival_s: 0, prompt_tokens: 32, output_tokens: overrides.large_output ?? 1024, max_tokens: 1024 },
      { id: 1, model: QWEN_1_5B, arrival_s: 3, prompt_tokens: 24, output_tokens: 64 },
    ],
    options,
  );
}

test('the two-node example: without migration the 1.5B request waits; with it, it is served at once', (t) => {
  const without = liveMigrationExample({ migration: false });
  const withM = liveMigrationExample({ migration: true });
  t.true(without.finish_s.small > without.finish_s.large);
  t.true(withM.finish_s.small < withM.finish_s.large);
  t.true(withM.finish_s.small - 3 < 2, 'served within two seconds of arriving');
  t.true(withM.lines.some((l) => /switched instance/.test(l)));
  for (const r of withM.result.requests) assertStream(t, r);
  t.is(withM.result.requests[0]?.migrations, 1);
});

test('migration rounds converge below the delta and never lose or duplicate a token', (t) => {
  const result = example({ delta_tokens: 20 });
  const rounds = result.migrations.filter((e) => e.kind === 'round-done');
  const last = rounds.at(-1);
  t.true(last !== undefined && last.kind === 'round-done' && last.delta_tokens <= 20);
  for (const r of result.requests) assertStream(t, r);
});

test('max_rounds stops the rounds even when the delta never gets small enough', (t) => {
  const result = example({ delta_tokens: 0, max_rounds: 3 });
  t.is(result.migrations.filter((e) => e.kind === 'round').length, 3);
  t.true(result.migrations.some((e) => e.kind === 'switched'));
  for (const r of result.requests) assertStream(t, r);
});

test('a failed destination load leaves the inference served on the source', (t) => {
  const result = example({}, { faults: { failLoad: (_m, _n, purpose) => purpose === 'migration' } });
  t.true(result.migrations.some((e) => e.kind === 'aborted'));
  t.false(result.migrations.some((e) => e.kind === 'switched'));
  for (const r of result.requests) {
    t.is(r.migrations, 0);
    assertStream(t, r);
  }
});

test('a request that ends during the migration is simply done; the destination stays warm', (t) => {
  // max_tokens 1024 makes the scheduler expect a long inference; it stops (EOS) at 170 tokens,
  // while the destination is still loading.
  const result = example({ large_output: 170 });
  t.true(result.migrations.some((e) => e.kind === 'finished-on-source'));
  for (const r of result.requests) assertStream(t, r);
});
