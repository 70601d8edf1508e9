import { type RunSummary, writeResults } from '../metrics/index.ts';
import { type RunConfig, simulate } from '../sim/index.ts';

/** What a worker receives: plain data only (structured clone). */
export interface PointTask {
  readonly config: RunConfig;
  readonly dir: string;
  /** Where relative paths of the config resolve from. */
  readonly baseDir: string;
}

/**
 * Simulates one point and writes its folder atomically (writeResults stages and renames). A
 * point that re-runs replaces the folder fleetlab wrote for it before (a changed config, a
 * damaged file); anything else at that path is refused.
 */
export function runPoint(task: PointTask): RunSummary {
  const result = simulate(task.config, { baseDir: task.baseDir, keepRequests: false });
  const asked = task.config.metrics;
  return writeResults(result.records, task.dir, { overwrite: true, steps: asked.steps === true, traceJson: asked.trace_json === true });
}
