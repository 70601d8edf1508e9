/** One line per migration event, in the spirit of upstream's MigrationRouter log. */
import type { MigrationEvent } from './token-migration.ts';

export function formatMigrationEvent(e: MigrationEvent): string {
  const t = `[${e.time_s.toFixed(3).padStart(8)} s]`;
  switch (e.kind) {
    case 'plan':
      return `${t} plan: migrate instance ${e.source} (node ${e.source_node}, ${e.tokens} tokens so far) to node ${e.target_node}; new instance ready in ~${e.estimate_s.toFixed(3)} s (estimate)`;
    case 'destination-loaded':
      return `${t} destination instance ${e.destination} loaded`;
    case 'round':
      return `${t} round ${e.round}: ${e.tokens} tokens on the source, recomputing ${e.recompute_tokens} on the destination (${(e.recompute_s * 1e3).toFixed(1)} ms)`;
    case 'round-done':
      return `${t} round ${e.round} done: delta ${e.delta_tokens} new tokens`;
    case 'stop':
      return `${t} source stopped: ${e.remaining_tokens} tokens left to recompute (a KV transfer would have moved ${(e.kv_bytes_not_sent / 1e6).toFixed(1)} MB)`;
    case 'switched':
      return `${t} switched instance ${e.source} → ${e.destination}; stream paused ${(e.downtime_s * 1e3).toFixed(1)} ms`;
    case 'finished-on-source':
      return `${t} inference finished on source ${e.source} before the switch; destination kept warm`;
    case 'aborted':
      return `${t} migration of instance ${e.source} aborted: ${e.reason}; the source keeps serving`;
  }
}
