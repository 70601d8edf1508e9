import { FinishedColumns, type LatencyColumns } from './finished-columns.ts';
import type { MigrationRecord, RunRecords } from './records.ts';
import { requestMetrics, type RequestMetrics } from './request-metrics.ts';
import { describe, type Distribution, round } from './stats.ts';
import { traceSummary, type TraceSummary } from './trace-summary.ts';
import { vllmBenchSection } from './vllm-bench.ts';
import { exactStats } from './vllm-keys.ts';

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
  /** Requests rejected at arrival or dropped by their engine (vLLM's ignored), by reason (requests.csv `rejected_reason` has each). */
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
  /** Present for a run that could not observe these fields (they are 0): a client timing a real server. */
  readonly not_measured?: readonly string[];
}

function latencies(columns: LatencyColumns): LatencySummary {
  return {
    requests: columns.count,
    request_latency_s: describe(columns.request_latency_s.values()),
    prefill_latency_s: describe(columns.prefill_latency_s.values()),
    decode_latency_s: describe(columns.decode_latency_s.values()),
    execution_s: describe(columns.execution_s.values()),
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

/** summary.json and the requests.csv rows (finished requests, by id) of a run, from its records alone. */
export function summarize(records: RunRecords): { summary: RunSummary; rows: RequestMetrics[] } {
  const rows: RequestMetrics[] = [];
  const summary = summaryOf(records, (m) => rows.push(m));
  return { summary, rows };
}

/**
 * summary.json of a run, from its records alone. Each finished request's metrics are folded
 * into typed columns as they are computed and then dropped (`FinishedColumns`), so the summary
 * of a million requests keeps no object per request; percentiles stay exact. `onFinished` sees
 * each finished request's metrics, by id (what `summarize` keeps as rows).
 */
export function summaryOf(records: RunRecords, onFinished?: (m: RequestMetrics) => void): RunSummary {
  const finished = new FinishedColumns();
  const rejections: { readonly reason: string }[] = [];
  const cost = records.info.preemption_cost;
  for (const r of records.requests) {
    if (r.rejected !== undefined) rejections.push({ reason: r.rejected });
    const m = requestMetrics(r, cost);
    if (m !== undefined) {
      finished.push(m);
      onFinished?.(m);
    }
  }
  const rejected = rejections.length;
  const n = Math.max(finished.count, 1);
  const { info, end } = records;
  const summary: RunSummary = {
    name: info.name,
    system: info.system,
    seed: info.seed,
    submitted: records.requests.length,
    rejected,
    ...(rejected > 0 ? { rejected_by_reason: rejectedByReason(rejections) } : {}),
    ...latencies(finished.all),
    preemption_loss_s: round(finished.preemption_loss_s / n),
    preemption_stall_s: round(finished.preemption_stall_s / n),
    preemptions: finished.preemptions,
    preempted_requests: finished.preempted_requests,
    migrations: migrationSummary(records.migrations),
    avg_instances_time_weighted: round(end.avg_instances),
    avg_instances_record_weighted: round(end.avg_instances_record_weighted),
    makespan_s: round(end.end_s),
    throughput_req_per_s: round(end.end_s > 0 ? finished.count / end.end_s : 0),
    events: end.events,
    ...(finished.high.count > 0 ? { by_priority: { normal: latencies(finished.normal), high: latencies(finished.high) } } : {}),
  };
  const trace = traceSummary(end.workload);
  const sampling = end.sampling;
  const vllm_bench =
    info.vllm_bench === undefined
      ? undefined
      : vllmBenchSection(
          { finished, token_gaps: end.token_gaps ?? exactStats([]), submitted: records.requests.length, duration_s: end.end_s, max_concurrency: info.max_concurrency },
          info.vllm_bench,
        );
  return {
    ...summary,
    ...(vllm_bench === undefined ? {} : { vllm_bench }),
    ...(trace === undefined ? {} : { trace }),
    ...(sampling !== undefined && sampling.coarsened > 0
      ? { instance_samples: { requested_interval_s: sampling.requested_interval_s, interval_s: sampling.interval_s, max_rows: sampling.max_rows } }
      : {}),
    ...(end.not_measured === undefined ? {} : { not_measured: end.not_measured }),
  };
}
