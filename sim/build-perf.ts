import { resolve } from 'node:path';
import type { ModelConfig } from './config/index.ts';
import { fittedPerfModel, type PerfModel, tablePerfModel, withStepOverhead } from './perf/index.ts';

/** The step-latency model a config names. Table paths resolve against `baseDir`. */
export function buildPerfModel(model: ModelConfig, baseDir: string): PerfModel {
  const perf = model.perf;
  switch (perf.kind) {
    case 'fitted': {
      const { kind: _kind, ...coefficients } = perf;
      return fittedPerfModel(`${model.name}:fitted`, coefficients);
    }
    case 'table':
      return withStepOverhead(tablePerfModel(`${model.name}:table`, resolve(baseDir, perf.file)), perf.step_overhead_ms ?? 0);
  }
}
