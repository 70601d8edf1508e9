// The log line of each token-migration event, worded as upstream's MigrationRouter logs them
// ("Migration iteration r", "Number of tokens: N, delta: D", "Migration completed: remained D
// tokens") so a run reads like the ServerlessLLM documentation's example.
import type { TokenMigrationEvent } from './token-migration.ts';

export function migrationLogLine(e: TokenMigrationEvent): string {
  switch (e.kind) {
    case 'round':
      return `Migration iteration ${e.round}\nNumber of tokens: ${e.tokens}, delta: ${e.delta}`;
    case 'round-done':
      return `Migration iteration ${e.round} completed (recompute ${e.recompute_ms.toFixed(1)} ms, ${e.cached_tokens} tokens from the prefix cache)`;
    case 'stop':
      return `Migration completed: remained ${e.remaining} tokens`;
    case 'switched':
      return `Source stopped at ${e.tokens} tokens; downtime ${e.downtime_ms.toFixed(1)} ms`;
    case 'finished-on-source':
      return 'No tokens found: the request finished on the source during the migration';
    case 'aborted':
      return `Migration aborted: ${e.reason}`;
    case 'source-died':
      return `Source died during the migration (${e.reason}); the request resumes from the tokens the manager holds`;
  }
}
