import type { SimRunResult } from '../sim/run.ts';
import type { MigrationRecord } from '../sim/migration/index.ts';
import { requestMetrics, type RequestMetrics } from './request-metrics.ts';
import { describe, type Distribution, round } from './stats.ts';
import { traceSummary, type TraceSummary } from './trace-summary.ts';
import { vllmBenchSection } from './vllm-bench.ts';

export interface LatencySummary {
  readonly requests: number;
  readonly request_latency_s: Distribution;
  readonly prefill_latency_s: Distribution;
  readonly decode_latency_s: Distribution;
  readonly execution_s: Distribution;
}

export interface MigrationSummary {
  readonly started: number;
  readonly committed: number;
  readonly aborted: number;
  readonly aborted_by_reason: Readonly<Record<string, number>>;
  readonly downtime_ms: Distribution;
  readonly blocks_copied: number;
}

/** summary.json: everything a comparison or a figure needs, units in the key names. */
export interface RunSummary extends LatencySummary {
  readonly name: string;
  readonly system: string;
  readonly seed: number;
  readonly submitted: number;
  readonly rejected: number;
  /** Requests rejected at arrival, by reason (see requests.csv `rejected_reason` for each). */
  readonly rejected_by_reason?: Readonly<Record<string, number>>;
  /** Llumnix artifact formula, averaged over all finished requests. */
  readonly preemption_loss_s: number;
  /** Σ (re-prefill end − kill) per request: the time preempted requests spent without KV cache. */
  readonly preemption_stall_s: number;
  readonly preemptions: number;
  readonly preempted_requests: number;
  readonly migrations: MigrationSummary;
  readonly avg_instances_time_weighted: number;
  /** The Llumnix artifact's average: over step reports (biased towards busy periods). */
  readonly avg_instances_record_weighted: number;
  readonly makespan_s: number;
  readonly throughput_req_per_s: number;
  readonly events: number;
  /** Split by priority class (Fig. 13); present when the run has high-priority requests. */
  readonly by_priority?: { readonly normal: LatencySummary; readonly high: LatencySummary };
  /** Present when the run read traces: rows read, dropped, adjusted, reordered, clipped. */
  readonly trace?: TraceSummary;
  /** `vllm bench serve`'s result keys (mean/median/std/p99 of ttft, tpot, itl, e2el; throughputs; goodput). */
  readonly vllm_bench?: Readonly<Record<string, number | null>>;
  /** Present when the row budget made the sampler coarsen metrics.sample_interval_s. */
  readonly instance_samples?: { readonly requested_interval_s: number; readonly interval_s: number; readonly max_rows: number };
}

function latencies(rows: readonly RequestMetrics[]): LatencySummary {
  return {
    requests: rows.length,
    request_latency_s: describe(rows.map((r) => r.request_latency_s)),
    prefill_latency_s: describe(rows.map((r) => r.prefill_latency_s)),
    decode_latency_s: describe(rows.map((r) => r.decode_latency_s)),
    execution_s: describe(rows.map((r) => r.execution_s)),
  };
}

function migrationSummary(records: readonly MigrationRecord[]): MigrationSummary {
  const reasons: Record<string, number> = {};
  let committed = 0;
  let blocks = 0;
  for (const m of records) {
    blocks += m.blocks_copied;
    if (m.status === 'committed') committed++;
    else reasons[m.reason ?? 'unknown'] = (reasons[m.reason ?? 'unknown'] ?? 0) + 1;
  }
  const sortedReasons = Object.fromEntries(Object.entries(reasons).sort(([a], [b]) => a.localeCompare(b)));
  return {
    started: records.length,
    committed,
    aborted: records.length - committed,
    aborted_by_reason: sortedReasons,
    downtime_ms: describe(records.filter((m) => m.status === 'committed').map((m) => m.downtime_s * 1e3)),
    blocks_copied: blocks,
  };
}

/**
 * Rejections counted by the kind of reason, the request-specific numbers left out ("needs 900
 * blocks / 13000 prompt tokens, beyond one instance" counts as "beyond one instance").
 */
export function rejectedByReason(rejections: readonly { readonly reason: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { reason } of rejections) {
    const kind = rejectionKind(reason);
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The reason without its numbers: "needs # blocks / # prompt tokens, beyond one instance". */
export const rejectionKind = (reason: string): string => reason.replace(/\d+(\.\d+)?/g, '#');

export function summarize(result: SimRunResult): { summary: RunSummary; rows: RequestMetrics[] } {
  const rows: RequestMetrics[] = [];
  for (const r of result.requests) {
    const m = requestMetrics(r, result.perf);
    if (m !== undefined) rows.push(m);
  }
  const n = Math.max(rows.length, 1);
  const sum = (f: (r: RequestMetrics) => number): number => rows.reduce((s, r) => s + f(r), 0);
  const high = rows.filter((r) => r.priority === 'high');
  const config = result.config;
  const summary: RunSummary = {
    name: config.name,
    system: config.system ?? config.name,
    seed: config.seed,
    submitted: result.requests.length,
    rejected: result.rejections.length,
    ...(result.rejections.length > 0 ? { rejected_by_reason: rejectedByReason(result.rejections) } : {}),
    ...latencies(rows),
    preemption_loss_s: round(sum((r) => r.preemption_loss_s) / n),
    preemption_stall_s: round(sum((r) => r.preemption_stall_s) / n),
    preemptions: sum((r) => r.preemptions),
    preempted_requests: rows.filter((r) => r.preemptions > 0).length,
    migrations: migrationSummary(result.migrations),
    avg_instances_time_weighted: round(result.avg_instances),
    avg_instances_record_weighted: round(result.avg_instances_record_weighted),
    makespan_s: round(result.end_s),
    throughput_req_per_s: round(result.end_s > 0 ? rows.length / result.end_s : 0),
    events: result.events,
    ...(high.length > 0
      ? { by_priority: { normal: latencies(rows.filter((r) => r.priority === 'normal')), high: latencies(high) } }
      : {}),
  };
  const trace = traceSummary(result.workload_report);
  const sampling = result.sampling;
  const vllm_bench = vllmBenchSection(
    { rows, token_gaps: result.token_gaps, submitted: result.requests.length, duration_s: result.end_s, max_concurrency: config.workload.max_concurrency },
    config.metrics.vllm_bench,
  );
  return {
    summary: {
      ...summary,
      vllm_bench,
      ...(trace === undefined ? {} : { trace }),
      ...(sampling !== undefined && sampling.coarsened > 0
        ? { instance_samples: { requested_interval_s: sampling.requested_interval_s, interval_s: sampling.interval_s, max_rows: sampling.max_rows } }
        : {}),
    },
    rows,
  };
}
