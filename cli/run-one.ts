import { join } from 'node:path';
import { type RunSummary, writeResults } from '../metrics/index.ts';
import { type RunConfig, simulate } from '../sim/index.ts';
import { progressBar } from './progress.ts';

/** Simulates one config and writes its results folder; returns the summary. */
export function runOne(config: RunConfig, options: { baseDir: string; outRoot: string; outDir?: string | undefined; progress: boolean; overwrite?: boolean | undefined }): {
  summary: RunSummary;
  dir: string;
  wall_s: number;
} {
  const bar = progressBar(config.system ?? config.name, options.progress);
  const started = performance.now();
  const result = simulate(config, { baseDir: options.baseDir, keepRequests: false, onProgress: (done, total) => bar.update(done, total) });
  bar.stop();
  const wall_s = (performance.now() - started) / 1e3;
  const dir = options.outDir ?? join(options.outRoot, config.name);
  const asked = config.metrics;
  const written = writeResults(result.records, dir, { overwrite: options.overwrite ?? false, steps: asked.steps === true, traceJson: asked.trace_json === true });
  return { summary: written, dir, wall_s };
}

/**
 * A run where no request finished has no latencies to report: say so loudly on stderr (the
 * folder is still written, with CSV headers, for inspection) and make the exit status fail.
 */
export function reportNothingFinished(summary: RunSummary, dir: string): boolean {
  if (summary.requests > 0) return false;
  console.error(
    `fleetlab: NO REQUEST FINISHED in ${summary.name} (${summary.submitted} submitted, ${summary.rejected} rejected): ` +
      `its latencies are not measurements. See ${dir}/summary.json; check cluster limits such as max_num_batched_tokens and total_blocks.`,
  );
  process.exitCode = 2;
  return true;
}
