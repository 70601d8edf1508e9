import { nearestName } from '../config/index.ts';
import { ConfigError, type RunConfigInput } from '../sim/index.ts';
import { fig11Config } from './llumnix-fig11/configs.ts';
import { FIG11_SYSTEMS, FIG11_TRACES } from './llumnix-fig11/setup.ts';
import { singleGpuConfig } from './single-gpu.ts';

/**
 * Built-in run configs, by name: `llumnix-fig11/<trace>/<system>` for every trace of Llumnix's
 * Fig. 11 (ShareGPT, BurstGPT, S-S, M-M, L-L, S-L, L-S) and every system (round-robin,
 * infaas++, llumnix), at the trace's default rate; `single-gpu/sharegpt/<engine>`: one instance
 * serving a ShareGPT-like trace on vLLM v1 (the modern setup) or v0. Override anything with --set.
 */
function buildPresets(): Map<string, RunConfigInput> {
  const presets = new Map<string, RunConfigInput>();
  for (const trace of FIG11_TRACES) {
    for (const system of FIG11_SYSTEMS) {
      presets.set(`llumnix-fig11/${trace.label}/${system}`, fig11Config(trace, system));
    }
  }
  for (const engine of ['vllm-v1', 'vllm-v0'] as const) presets.set(`single-gpu/sharegpt/${engine}`, singleGpuConfig(engine));
  return presets;
}

const PRESETS = buildPresets();

export const PRESET_NAMES: readonly string[] = [...PRESETS.keys()];

export function findPreset(name: string, source?: string): RunConfigInput {
  const preset = PRESETS.get(name);
  if (preset === undefined) {
    const nearest = nearestName(name, PRESET_NAMES);
    const hint = nearest === undefined ? '' : ` (did you mean ${nearest}?)`;
    throw ConfigError.single('preset', `one of ${PRESET_NAMES.join(' | ')}${hint}`, name, source === undefined ? {} : { source });
  }
  return structuredClone(preset);
}
