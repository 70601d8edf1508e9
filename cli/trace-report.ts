import { type RunSummary, traceLine } from '../metrics/index.ts';

/** Prints, on stderr, what happened to trace rows and to the sampling interval: nothing silently. */
export function printTraceReport(summary: RunSummary): void {
  if (summary.trace !== undefined) console.error(traceLine(summary.trace));
  const s = summary.instance_samples;
  if (s !== undefined) {
    console.error(
      `instances.csv: sampled every ${s.interval_s} s instead of ${s.requested_interval_s} s to stay within ` +
        `metrics.max_sample_rows = ${s.max_rows} rows (raise it to keep more)`,
    );
  }
}

/**
 * Prints, on stderr, how many requests were rejected (at arrival, or dropped later by their
 * engine as vLLM's ignored requests) and why; requests.csv has each one.
 */
export function printRejections(summary: RunSummary, dir: string): void {
  if (summary.rejected === 0) return;
  const reasons = Object.entries(summary.rejected_by_reason ?? {}).map(([reason, n]) => `${n} × ${reason}`);
  console.error(`rejected: ${summary.rejected} of ${summary.submitted} requests (${reasons.join('; ')}); each one is in ${dir}/requests.csv with its rejected_reason`);
}
