import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelConfig } from './config/index.ts';
import type { Rng } from './kernel/rng.ts';
import { fittedPerfModel, llmServingSimPerfModel, type PerfModel, tablePerfModel, vidurPerfModel, withStepOverhead } from './perf/index.ts';
import { ConfigError } from './errors.ts';
import { readJitterRatios, withStepJitter } from './perf/step-jitter.ts';

/** Profiles shipped in `profiles/` (provenance and licences in its README), as `builtin:<path>`. */
const BUILTIN = 'builtin:';

/** A profile path of a config: `builtin:<path under profiles/>`, else relative to `baseDir`. */
export function resolveProfilePath(path: string, baseDir: string): string {
  if (path.startsWith(BUILTIN)) return fileURLToPath(new URL(`../profiles/${path.slice(BUILTIN.length)}`, import.meta.url));
  return resolve(baseDir, path);
}

/** The step-latency model a config names. Profile paths resolve against `baseDir`. */
export function buildPerfModel(model: ModelConfig, baseDir: string, jitterRng?: () => Rng): PerfModel {
  const perf = model.perf;
  const name = `${model.name}:${perf.kind}`;
  switch (perf.kind) {
    case 'fitted': {
      const { kind: _kind, ...coefficients } = perf;
      return fittedPerfModel(name, coefficients);
    }
    case 'table': {
      const table = withStepOverhead(tablePerfModel(name, resolveProfilePath(perf.file, baseDir)), perf.step_overhead_ms ?? 0);
      if (perf.jitter === undefined) {
        if (perf.jitter_memory !== undefined) throw ConfigError.single('model.perf.jitter_memory', 'perf.jitter set too (the memory is of the jitter draws)', perf.jitter_memory);
        return table;
      }
      if (jitterRng === undefined) throw new Error(`${name}: perf.jitter needs the run's random stream (build the model through simulate())`);
      return withStepJitter(table, readJitterRatios(resolveProfilePath(perf.jitter, baseDir)), jitterRng(), perf.jitter_memory);
    }
    case 'llmservingsim':
      return withStepOverhead(llmServingSimPerfModel(name, { dir: resolveProfilePath(perf.dir, baseDir), layers: model.layers }), perf.step_overhead_ms ?? 0);
    case 'vidur':
      return withStepOverhead(
        vidurPerfModel(name, {
          mlp: resolveProfilePath(perf.mlp, baseDir),
          attention: resolveProfilePath(perf.attention, baseDir),
          all_reduce: perf.all_reduce === undefined ? undefined : resolveProfilePath(perf.all_reduce, baseDir),
          tp: perf.tp,
          layers: model.layers,
          kv_heads: model.kv_heads,
          head_dim: model.head_dim,
          statistic: perf.statistic,
          kv_granularity_tokens: perf.kv_granularity_tokens,
          attention_batching_overhead_fraction: perf.attention_batching_overhead_fraction,
          nccl_launch_overhead_ms: perf.nccl_launch_overhead_ms,
        }),
        perf.step_overhead_ms ?? 0,
      );
  }
}
