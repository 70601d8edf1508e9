// ServerlessLLM's live-migration example on the real backend (two nodes of instance processes,
// two models, the OpenAI API): with migration the 3B inference moves to node 1 by tokens and
// the 1.5B request, served on node 0, finishes first; without it the 1.5B request waits for
// node 0 and finishes last. Every placement the fleet made equals the policy's decision on
// the same view. Slow by nature (four cold starts and a long decode): one file, run serially.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import test from 'ava';
import { liveMigrationReal, type RealExampleOutcome } from '../../artifact/serverlessllm/live-migration-real.ts';
import { QWEN_1_5B, QWEN_3B } from '../../artifact/serverlessllm/live-migration.ts';
import { createPlacementPolicy } from '../../policies/placement/index.ts';
import { privateModelCache } from './helpers.ts';

privateModelCache('serverless-example');

function samePlacements(t: import('ava').ExecutionContext, outcome: RealExampleOutcome, migration: boolean): void {
  const policy = createPlacementPolicy({ kind: 'locality-migrate', migration });
  t.true(outcome.placements.length >= 2);
  for (const p of outcome.placements) t.deepEqual(policy.place(p.request, p.view), p.decision);
}

let plain: RealExampleOutcome | undefined;

test.serial('without migration the 1.5B request waits for node 0 and finishes after the 3B inference', async (t) => {
  // The 3B request is shorter here (the 1.5B request cannot start before it ends whatever its
  // length), long enough to still run when the 1.5B request arrives after its 300th token.
  const outcome = await liveMigrationReal({ migration: false, after_tokens: 300, max_tokens_3b: 1500 });
  plain = outcome;
  t.deepEqual(outcome.lines.filter((l) => / agent on /.test(l)).map((l) => l.replace(/:\d+$/, '')), ['node 0: agent on 127.0.0.1', 'node 1: agent on 127.0.0.2'], 'the nodes are node agents');
  t.true(outcome.small.sent_s < outcome.large.finished_s, 'the 1.5B request met the 3B inference running');
  t.false(outcome.small_first, outcome.lines.join('\n'));
  t.is(outcome.migrations.length, 0);
  t.is(outcome.large.completion_tokens, 1500);
  t.is(outcome.small.completion_tokens, 64);
  const waited = outcome.placements.find((p) => p.request.model === QWEN_1_5B && p.decision.kind === 'reject');
  t.truthy(waited, 'the 1.5B placement was declined while node 0 was busy');
  const placed = outcome.placements.find((p) => p.request.model === QWEN_1_5B && p.decision.kind === 'place');
  t.is(placed?.decision.kind === 'place' ? placed.decision.node : -1, 0, 'then placed on node 0, which holds its checkpoint');
  samePlacements(t, outcome, false);
});

test.serial('with migration the 3B inference moves to node 1 and the 1.5B request finishes first, the 3B output unchanged', async (t) => {
  // The 1.5B request arrives after the 3B answer's 300th token, not after a time: the 2,700
  // tokens left must outlast two cold starts and the migration's rounds, and a time-based gap
  // left fewer of them on a faster machine (a CI run once lost the race that way).
  const outcome = await liveMigrationReal({ migration: true, after_tokens: 300, max_tokens_3b: 3000 });
  t.true(outcome.small_first, outcome.lines.join('\n'));
  const [m] = outcome.migrations;
  t.is(m?.result.outcome, 'committed');
  t.is(m?.model, QWEN_3B);
  t.deepEqual([m?.from_node, m?.to_node], [0, 1]);
  t.true((m?.result.rounds ?? 0) >= 1);
  const rounds = m?.events.filter((e) => e.kind === 'round') ?? [];
  t.true(rounds.length >= 2 && rounds.at(-1)!.kind === 'round' && (rounds.at(-1) as { delta: number }).delta <= 20 || m?.result.rounds === 8);
  t.is(outcome.large.completion_tokens, 3000, 'no token lost or repeated across the migration');
  t.is(outcome.small.completion_tokens, 64);
  const placed = outcome.placements.find((p) => p.request.model === QWEN_1_5B && p.decision.kind === 'place');
  t.is(placed?.decision.kind === 'place' ? placed.decision.node : -1, 0);
  samePlacements(t, outcome, true);
  for (const story of ['Executing migration plan', 'Migration iteration 0', 'Migration completed: remained', 'removed (migrated)', `Allocated node 0 for model ${QWEN_1_5B}`]) {
    t.true(outcome.lines.some((l) => l.includes(story)), `log tells "${story}"`);
  }
  // Greedy: the migrated 3B answer continues the plain run's 1500-token answer exactly.
  if (plain !== undefined) t.true(outcome.large.text.startsWith(plain.large.text.slice(0, Math.max(0, plain.large.text.length - 8))));
});

test.serial('fleetlab example live-migration --real tells the document\'s story by default (the 1.5B request after the 3B answer\'s 300th token)', async (t) => {
  // Was: 3 s after the 3B answer's first token, by which time a fast CPU had decoded ~1,500
  // tokens; the migration's rounds never caught up, the 3B finished first and the command exited 1.
  const bin = new URL('../../bin/fleetlab.js', import.meta.url).pathname;
  const { stdout } = await promisify(execFile)(process.execPath, [bin, 'example', 'live-migration', '--real'], { maxBuffer: 1 << 24, env: process.env });
  t.regex(stdout, /Qwen\/Qwen2\.5-1\.5B-Instruct finished first/);
  t.regex(stdout, /Executing migration plan/);
});
