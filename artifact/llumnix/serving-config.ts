import { PRESETS } from '../../policies/index.ts';
import type { RunConfigInput } from '../../sim/index.ts';
import { calibratedModel, LLAMA_7B_A10_SERVING } from './calibration.ts';

export type SystemPreset = 'infaas++' | 'llumnix' | 'llumnix-base';

export const PRESET_LABELS: Readonly<Record<SystemPreset, string>> = {
  'infaas++': 'INFaaS++',
  llumnix: 'Llumnix',
  'llumnix-base': 'Llumnix-base',
};

/** The zipf length generator of the artifact (reference §8.2), capped at 6144 tokens. */
const zipf = (mean_tokens: number) => ({ kind: 'zipf' as const, mean_tokens, range_tokens: 6144 });

/**
 * A run of Figs. 13–15 (reference §8.6, §8.7): calibrated LLaMA-7B instances (calibration.ts),
 * max_num_batched_tokens 12000, zipf lengths, migration threshold T = 3, Llumnix presets.
 */
export function servingConfig(o: {
  system: SystemPreset;
  instances: number;
  prompt_mean: number;
  output_mean: number;
  arrival: { kind: 'poisson'; rate_per_s: number } | { kind: 'gamma'; rate_per_s: number; cv: number };
  num_requests: number;
  high_ratio?: number;
  high_priority_first?: boolean;
  scaling?: Record<string, unknown>;
}): RunConfigInput {
  const scheduler = { ...structuredClone(PRESETS[o.system]), ...(o.scaling === undefined ? {} : { scaling: o.scaling }) };
  return {
    system: PRESET_LABELS[o.system],
    cluster: {
      instances: o.instances,
      total_blocks: LLAMA_7B_A10_SERVING.blocks_at_12000_tokens.value,
      max_num_batched_tokens: 12_000,
      max_num_seqs: 256,
      ...(o.high_priority_first === undefined ? {} : { high_priority_first: o.high_priority_first }),
    },
    model: calibratedModel(),
    scheduler: scheduler as RunConfigInput['scheduler'],
    workload: {
      num_requests: o.num_requests,
      arrival: o.arrival,
      lengths: { prompt: zipf(o.prompt_mean), output: zipf(o.output_mean) },
      priority: { high_ratio: o.high_ratio ?? 0 },
    },
  };
}
