// The source's side of a token-based live migration (ServerlessLLM §6): the manager ran the
// rounds (the destination recomputed the tokens so far); now the request stops here at a step
// boundary and its tokens, sampling parameters and random stream go to the destination
// (CommitTokens). Committed: the request's stream here ends with `migrated_to`. Any failure
// (destination dead, out of memory, refusing) leaves the request running here.
import type { LLMEngine } from '../engine/llm-engine.ts';
import { migratedState } from '../engine/migrated-state.ts';
import type { InstanceClient } from '../rpc/instance-client.ts';
import type { TokenMigrationOutcome, MigrateTokensOutReply } from '../rpc/messages.ts';

export async function migrateTokensOut(engine: LLMEngine, request_id: string, dst: InstanceClient): Promise<MigrateTokensOutReply> {
  const reply = (outcome: TokenMigrationOutcome, extra: Partial<MigrateTokensOutReply> = {}): MigrateTokensOutReply => ({
    outcome, tokens: 0, downtime_ms: 0, detail: '', ...extra,
  });
  const seq = engine.sequence(request_id);
  if (seq === undefined || seq.status === 'finished') return reply('aborted-finished', { detail: `request ${request_id} is not running here (finished?)` });
  const suspendedAt = performance.now();
  if (!(await engine.suspend(request_id))) {
    // Finished, aborted, or still in its prefill at this step boundary: it stays here.
    return reply(engine.sequence(request_id) === undefined || seq.abort_requested ? 'aborted-finished' : 'aborted-not-decoding');
  }
  const state = migratedState(seq);
  const tokens = state.prompt_token_ids.length + state.output.output_token_ids.length;
  let detail: string;
  try {
    const commit = await dst.commitTokens(request_id, JSON.stringify(state));
    if (commit.ok) {
      engine.releaseMigrated(request_id, dst.address);
      return reply('committed', { tokens, downtime_ms: performance.now() - suspendedAt });
    }
    detail = commit.detail;
  } catch (err) {
    detail = err instanceof Error ? err.message : String(err);
  }
  engine.resumeSuspended(request_id);
  return reply('aborted-dst-failed', { tokens, detail });
}
