/** Latency summary of a serverless run: TTFT and end-to-end, cold starts included. */
import { describe, type Distribution } from '../../metrics/stats.ts';
import type { ServerlessRunResult } from './run.ts';

export interface ServerlessSummary {
  readonly requests: number;
  readonly completed: number;
  readonly ttft_s: Distribution;
  readonly e2e_s: Distribution;
  readonly cold_starts: number;
  readonly loads_by_tier: Readonly<Record<'dram' | 'ssd' | 'remote', number>>;
  readonly migrations_switched: number;
  readonly migrations_aborted: number;
  readonly preemptions: number;
  readonly makespan_s: number;
}

export function summarizeServerless(result: ServerlessRunResult): ServerlessSummary {
  const done = result.requests.filter((r) => r.finish_s !== undefined);
  const loads_by_tier = { dram: 0, ssd: 0, remote: 0 };
  for (const load of result.loads) loads_by_tier[load.tier]++;
  return {
    requests: result.requests.length,
    completed: done.length,
    ttft_s: describe(done.map((r) => (r.first_token_s ?? 0) - r.arrival_s)),
    e2e_s: describe(done.map((r) => (r.finish_s ?? 0) - r.arrival_s)),
    cold_starts: result.requests.filter((r) => r.cold_start).length,
    loads_by_tier,
    migrations_switched: result.migrations.filter((m) => m.kind === 'switched' || m.kind === 'finished-on-source').length,
    migrations_aborted: result.migrations.filter((m) => m.kind === 'aborted').length,
    preemptions: result.preemptions,
    makespan_s: result.makespan_s,
  };
}
