import type { RunConfigInput } from '../../sim/index.ts';
import { PRESETS } from '../../policies/index.ts';
import { calibratedModel, LLAMA_7B_A10_SERVING } from '../llumnix/calibration.ts';
import { FIG11_TRACES, type Fig11System, type Fig11Trace, SYSTEM_LABELS } from './setup.ts';

/** The run config of one Fig. 11 point: a trace, a system and a request rate. */
export function fig11Config(
  trace: Fig11Trace,
  system: Fig11System,
  options: { rate_per_s?: number; num_requests?: number; seed?: number } = {},
): RunConfigInput {
  const rate = options.rate_per_s ?? trace.default_rate_per_s;
  const scheduler = structuredClone(PRESETS[system]) as Record<string, unknown>;
  if (scheduler.pairing !== undefined) {
    scheduler.pairing = { ...(scheduler.pairing as object), migrate_threshold: trace.migrate_threshold };
  }
  return {
    name: `fig11-${trace.label}-${system}-${rate}`,
    system: SYSTEM_LABELS[system],
    seed: options.seed ?? 0,
    cluster: { instances: 16, total_blocks: LLAMA_7B_A10_SERVING.blocks_at_12800_tokens.value, max_num_batched_tokens: 12800, max_num_seqs: 256 },
    model: calibratedModel(),
    scheduler: scheduler as RunConfigInput['scheduler'],
    workload: {
      num_requests: options.num_requests ?? 10_000,
      arrival: { kind: 'poisson', rate_per_s: rate },
      lengths: { prompt: trace.prompt, output: trace.output },
    },
  };
}

export function fig11Trace(label: string): Fig11Trace | undefined {
  return FIG11_TRACES.find((t) => t.label === label);
}
