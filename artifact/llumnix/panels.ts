import type { LatencySummary, RunSummary } from '../../metrics/index.ts';

/** One column of a paper figure: a metric read from a summary, in the unit its label names. */
export interface Panel<S> {
  /** Stable key (claim ids, CSV). */
  readonly key: string;
  /** Column header, as the paper labels it. */
  readonly label: string;
  readonly get: (summary: S) => number;
}

/** The six latency columns shared by Figs. 11, 13 and 14, in the paper's order. */
export const LATENCY_PANELS: readonly Panel<LatencySummary>[] = [
  { key: 'request_p99', label: 'Request P99 (s)', get: (s) => s.request_latency_s.p99 },
  { key: 'request_mean', label: 'Request Mean (s)', get: (s) => s.request_latency_s.mean },
  { key: 'prefill_p99', label: 'Prefill P99 (s)', get: (s) => s.prefill_latency_s.p99 },
  { key: 'prefill_mean', label: 'Prefill Mean (s)', get: (s) => s.prefill_latency_s.mean },
  // Decode latency is per token (the mean inter-token gap of a request): TPOT, read in ms.
  { key: 'decode_p99', label: 'Decode P99 (ms/token)', get: (s) => s.decode_latency_s.p99 * 1e3 },
  { key: 'decode_mean', label: 'Decode Mean (ms/token)', get: (s) => s.decode_latency_s.mean * 1e3 },
];

export const PREEMPTION_PANEL: Panel<RunSummary> = { key: 'preemption_loss', label: 'Preemption Loss (s)', get: (s) => s.preemption_loss_s };

/** Fig. 13's seventh column: summed iteration time a request took part in. */
export const EXECUTION_PANEL: Panel<LatencySummary> = { key: 'execution_mean', label: 'Decode Execution Time (s)', get: (s) => s.execution_s.mean };

/**
 * Fig. 14's resource cost: average instances, time-weighted. `avg_instances_record_weighted`
 * (the artifact's per-record average, reference §12 #11) is read where the summary has it.
 */
export const COST_PANEL: Panel<RunSummary> = { key: 'avg_instances', label: 'Resource Cost (instances)', get: (s) => s.avg_instances_time_weighted };

export function recordWeightedInstances(s: RunSummary): number | undefined {
  const value = (s as unknown as Record<string, unknown>).avg_instances_record_weighted;
  return typeof value === 'number' ? value : undefined;
}
