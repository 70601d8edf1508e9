/**
 * The model catalogue: checkpoint size, GPUs per instance, KV geometry and a roofline
 * `PerfModel` per model on the cluster's GPU. Decode streams the weights (and the KV cache)
 * from HBM once per step; prefill is compute-bound at 2·params FLOPs per token.
 */
import { decodeContext, type PerfModel, wholePrompts } from '../perf/index.ts';
import type { ServerlessConfig } from './config.ts';

export interface CatalogueEntry {
  readonly name: string;
  readonly size_bytes: number;
  readonly gpus: number;
  readonly perf: PerfModel;
  /** KV bytes per token (0 when the geometry is unknown). */
  readonly kv_bytes_per_token: number;
  readonly auto_scaling: ServerlessConfig['models'][number]['auto_scaling_config'];
  /** Resume fit a·tokens + b the scheduler uses (profiled from `perf`). */
  readonly resume_s_per_token: number;
  readonly resume_base_s: number;
}

export function rooflinePerf(name: string, params_b: number, size_bytes: number, gpus: number, kvBytesPerToken: number, gpu: ServerlessConfig['cluster']['gpu']): PerfModel {
  const hbm = gpu.hbm_gb_per_s * 1e9 * gpu.decode_bandwidth_efficiency * gpus;
  const flops = gpu.fp16_tflops * 1e12 * gpu.prefill_mfu * gpus;
  const weights_ms = (size_bytes / hbm) * 1e3;
  const perToken_ms = ((2 * params_b * 1e9) / flops) * 1e3;
  const prefill_ms = (prompts: readonly number[]): number => {
    let tokens = 0;
    for (const p of prompts) tokens += p;
    // A prefill is at least one pass over the weights.
    return gpu.step_overhead_ms + Math.max(weights_ms, perToken_ms * tokens);
  };
  const decode_ms = (_batch: number, context: number): number => gpu.step_overhead_ms + weights_ms + ((context * kvBytesPerToken) / hbm) * 1e3;
  return {
    name: `${name}-roofline`,
    prefill_ms,
    decode_ms,
    step_ms(batch) {
      if (batch.decodes.length === 0) {
        if (batch.prefills.length === 0) return 0;
        return prefill_ms(wholePrompts(batch) ?? batch.prefills.map((p) => p.new_tokens));
      }
      if (batch.prefills.length === 0) return decode_ms(batch.decodes.length, decodeContext(batch));
      // Mixed: one step is bound by the slower of streaming weights + KV and computing every token.
      let tokens = batch.decodes.length;
      for (const p of batch.prefills) tokens += p.new_tokens;
      const memory_ms = weights_ms + ((decodeContext(batch) * kvBytesPerToken) / hbm) * 1e3;
      return gpu.step_overhead_ms + Math.max(memory_ms, perToken_ms * tokens);
    },
  };
}

export function buildCatalogue(config: ServerlessConfig): Map<string, CatalogueEntry> {
  const catalogue = new Map<string, CatalogueEntry>();
  for (const m of config.models) {
    const size_bytes = (m.size_gb ?? m.params_b * 2) * 1e9;
    const kv = m.kv === undefined ? 0 : 2 * m.kv.layers * m.kv.kv_heads * m.kv.head_dim * 2;
    const perf = rooflinePerf(m.name, m.params_b, size_bytes, m.gpus, kv, config.cluster.gpu);
    // Profile the recompute slope between 1k and 2k tokens, as a deploy-time regression would.
    const a = (perf.prefill_ms([2048]) - perf.prefill_ms([1024])) / 1024 / 1e3;
    catalogue.set(m.name, {
      name: m.name,
      size_bytes,
      gpus: m.gpus,
      perf,
      kv_bytes_per_token: kv,
      auto_scaling: m.auto_scaling_config,
      resume_s_per_token: a,
      resume_base_s: config.migration.resume_base_s,
    });
  }
  return catalogue;
}
