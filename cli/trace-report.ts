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
