// Token-based live migration of one running request between two instance processes
// (ServerlessLLM §6, upstream's MigrationRouter loop), run by the manager. Round r: ask the
// source for the request's tokens so far; delta = tokens − tokens sent last round; once
// delta ≤ migration_delta (or after max_rounds) stop; otherwise the destination computes
// their KV into its prefix cache (only the delta is new work) while the source keeps decoding.
// Then the source stops the request at a step boundary and hands it over by its tokens and
// random stream (MigrateTokensOut → CommitTokens); the source's stream ends with
// `migrated_to` and the client's stream continues from the destination (Attach).
//
// §6.3 failures, each leaving the request served:
// - destination dead or out of memory during a round or at the hand-over → `aborted`: the
//   request keeps running on the source;
// - the request finishes on the source first → `finished-on-source` (the destination stays
//   as a warm instance);
// - the source dies → `source-died`: the manager still holds the tokens the client received
//   and resumes the request from them, preferably on the destination (whose prefix cache
//   already holds most of their KV).
import type { InstanceClient } from '../rpc/instance-client.ts';

export interface TokenMigrationParams {
  /** Stop the rounds once at most this many tokens are new since the last round (upstream: 20). */
  readonly migration_delta: number;
  /** Rounds at most before the hand-over regardless of the delta (bounds a source that outruns the destination). */
  readonly max_rounds: number;
}

export const DEFAULT_TOKEN_MIGRATION: TokenMigrationParams = { migration_delta: 20, max_rounds: 8 };

export type TokenMigrationEvent =
  | { readonly kind: 'round'; readonly round: number; readonly tokens: number; readonly delta: number }
  | { readonly kind: 'round-done'; readonly round: number; readonly cached_tokens: number; readonly recompute_ms: number }
  | { readonly kind: 'stop'; readonly round: number; readonly remaining: number }
  | { readonly kind: 'switched'; readonly tokens: number; readonly downtime_ms: number }
  | { readonly kind: 'finished-on-source' }
  | { readonly kind: 'aborted'; readonly reason: string }
  | { readonly kind: 'source-died'; readonly reason: string };

export type TokenMigrationOutcome = 'committed' | 'finished-on-source' | 'aborted' | 'source-died';

export interface TokenMigrationResult {
  readonly outcome: TokenMigrationOutcome;
  readonly rounds: number;
  /** Tokens the destination recomputed over all rounds (prefix-cache hits excluded). */
  readonly recomputed_tokens: number;
  readonly total_ms: number;
  readonly downtime_ms: number;
  readonly detail: string;
}

export interface TokenMigrationPeers {
  readonly source: InstanceClient;
  readonly destination: InstanceClient;
  /** Whether the source process is still alive (tells a dead source from a refusing one). */
  readonly sourceAlive: () => Promise<boolean>;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function migrateByTokens(
  request_id: string,
  peers: TokenMigrationPeers,
  params: TokenMigrationParams,
  onEvent: (e: TokenMigrationEvent) => void = () => undefined,
): Promise<TokenMigrationResult> {
  const t0 = performance.now();
  let rounds = 0;
  let recomputed = 0;
  const end = (outcome: TokenMigrationOutcome, detail = '', downtime_ms = 0): TokenMigrationResult => ({
    outcome, rounds, recomputed_tokens: recomputed, total_ms: performance.now() - t0, downtime_ms, detail,
  });
  const sourceFailed = async (err: unknown): Promise<TokenMigrationResult> => {
    if (await peers.sourceAlive()) {
      onEvent({ kind: 'aborted', reason: `source refused: ${message(err)}` });
      return end('aborted', message(err));
    }
    onEvent({ kind: 'source-died', reason: message(err) });
    return end('source-died', message(err));
  };
  let sent = 0;
  for (let round = 0; ; round++) {
    let current;
    try {
      current = await peers.source.currentTokens(request_id);
    } catch (err) {
      return sourceFailed(err);
    }
    if (!current.running) {
      onEvent({ kind: 'finished-on-source' });
      return end('finished-on-source');
    }
    const delta = current.token_ids.length - sent;
    onEvent({ kind: 'round', round, tokens: current.token_ids.length, delta });
    if (delta <= params.migration_delta || round >= params.max_rounds) {
      onEvent({ kind: 'stop', round, remaining: delta });
      break;
    }
    try {
      const done = await peers.destination.prefillTokens(`${request_id}@migration-round-${round}`, current.token_ids);
      recomputed += done.tokens - done.cached_tokens;
      onEvent({ kind: 'round-done', round, cached_tokens: done.cached_tokens, recompute_ms: done.ms });
    } catch (err) {
      onEvent({ kind: 'aborted', reason: `destination failed in round ${round}: ${message(err)}` });
      return end('aborted', message(err));
    }
    sent = current.token_ids.length;
    rounds = round + 1;
  }
  let reply;
  try {
    reply = await peers.source.migrateTokensOut(request_id, peers.destination.address);
  } catch (err) {
    return sourceFailed(err);
  }
  switch (reply.outcome) {
    case 'committed':
      onEvent({ kind: 'switched', tokens: reply.tokens, downtime_ms: reply.downtime_ms });
      return end('committed', '', reply.downtime_ms);
    case 'aborted-finished':
      onEvent({ kind: 'finished-on-source' });
      return end('finished-on-source', reply.detail);
    default:
      onEvent({ kind: 'aborted', reason: `${reply.outcome}: ${reply.detail}` });
      return end('aborted', `${reply.outcome}: ${reply.detail}`);
  }
}
