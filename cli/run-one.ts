import { join } from 'node:path';
import { type RunSummary, writeResults } from '../metrics/index.ts';
import { type RunConfig, simulate } from '../sim/index.ts';
import { progressBar } from './progress.ts';

/** Simulates one config and writes its results folder; returns the summary. */
export function runOne(config: RunConfig, options: { baseDir: string; outRoot: string; outDir?: string | undefined; progress: boolean }): {
  summary: RunSummary;
  dir: string;
  wall_s: number;
} {
  const bar = progressBar(config.system ?? config.name, options.progress);
  const started = performance.now();
  const result = simulate(config, { baseDir: options.baseDir, onProgress: (done, total) => bar.update(done, total) });
  bar.stop();
  const wall_s = (performance.now() - started) / 1e3;
  const dir = options.outDir ?? join(options.outRoot, config.name);
  return { summary: writeResults(result, dir), dir, wall_s };
}
