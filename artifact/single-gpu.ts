import type { EngineKind } from '../engine/index.ts';
import type { RunConfigInput } from '../sim/index.ts';

/**
 * One instance serving a ShareGPT-like trace: the setup of a modern single-GPU vLLM deployment
 * (vLLM v1: max_num_batched_tokens 2048, chunked prefill, prefix caching on), or the same
 * instance under vLLM 0.1.7's scheduler for comparison. The model and step latencies are the
 * defaults (LLaMA-7B on a 24 GB A10, 792 KV blocks, the fitted step model): the only GPU fit
 * the project ships; swap `model.perf` for a profiled table of your GPU.
 */
export function singleGpuConfig(engine: EngineKind): RunConfigInput {
  return {
    name: `single-gpu-sharegpt-${engine}`,
    system: engine === 'vllm-v1' ? 'vLLM v1' : 'vLLM 0.1.7',
    seed: 0,
    cluster: {
      instances: 1,
      total_blocks: 792,
      max_num_seqs: 256,
      ...(engine === 'vllm-v1'
        ? { max_num_batched_tokens: 2048, engine: { kind: 'vllm-v1', enable_prefix_caching: true } }
        : { max_num_batched_tokens: 12800, engine: { kind: 'vllm-v0' } }),
    },
    scheduler: { dispatch: { kind: 'round-robin' } },
    workload: {
      num_requests: 1000,
      arrival: { kind: 'poisson', rate_per_s: 0.4 },
      lengths: { prompt: { kind: 'quantile_preset', name: 'sharegpt_prompt' }, output: { kind: 'quantile_preset', name: 'sharegpt_output' } },
    },
  };
}
