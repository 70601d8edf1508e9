import { z } from 'zod';

/**
 * One instance's GPUs, for the memory planner (docs/memory.md): with `cluster.gpu` and
 * `model.parameters_billions`, `cluster.total_blocks` is computed as vLLM sizes its KV cache,
 * unless `total_blocks` is given (then it wins).
 */
export const GpuSpec = z.strictObject({
  /** Memory of ONE GPU (an A100-80GB holds 80 GiB; an A10 24 GiB). */
  memory_gib: z.number().positive(),
  /** vLLM's --gpu-memory-utilization: the share of each GPU's memory vLLM may use. */
  utilization: z.number().gt(0).max(1).default(0.9),
  /** GPUs per instance (vLLM's --tensor-parallel-size): weights and KV heads are split over them. */
  tensor_parallel: z.number().int().positive().default(1),
  /**
   * Per-GPU memory vLLM keeps for activations and non-torch allocations (CUDA graphs, NCCL
   * buffers), which it measures with a profiling forward pass at max_num_batched_tokens. fleetlab
   * cannot measure it: read it from vLLM's start-up log (the weights + activation figures before
   * "Available KV cache memory") or leave 0, as Vidur does.
   */
  activation_reserve_gib: z.number().nonnegative().default(0),
  /**
   * Vidur's planner: round the KV capacity down to whole requests of this many tokens (its
   * max_tokens, e.g. 4096: each slot holds 256 blocks of 16). Absent: vLLM's whole blocks.
   */
  round_down_to_requests_of_tokens: z.number().int().positive().optional(),
});
export type GpuSpec = z.output<typeof GpuSpec>;

/** What the planner needs of the model. */
export interface PlannedModel {
  readonly layers: number;
  readonly kv_heads: number;
  readonly head_dim: number;
  readonly dtype_bytes: number;
  readonly parameters_billions?: number | undefined;
  readonly weight_bytes_per_parameter?: number | undefined;
}

export interface MemoryPlan {
  readonly total_blocks: number;
  readonly budget_bytes_per_gpu: number;
  readonly weight_bytes_per_gpu: number;
  readonly kv_bytes_per_gpu: number;
  readonly kv_bytes_per_block_per_gpu: number;
}

const GIB = 1024 ** 3;

/**
 * vLLM's KV sizing, per GPU of the tensor-parallel group (every GPU holds the same number of
 * blocks, each with its share of the KV heads):
 *   budget = memory_gib × 2³⁰ × utilization
 *   weights = parameters × bytes per parameter / tp
 *   KV bytes per block = 2 (K and V) × layers × ⌈kv_heads / tp⌉ × head_dim × dtype_bytes × block_size
 *   total_blocks = ⌊(budget − weights − activation_reserve) / KV bytes per block⌋
 * A string is the reason the model does not fit (no block left).
 */
export function planMemory(gpu: GpuSpec, model: PlannedModel, block_size_tokens: number): MemoryPlan | string {
  if (model.parameters_billions === undefined) return 'model.parameters_billions is needed to size the KV cache from cluster.gpu (or give cluster.total_blocks)';
  const tp = gpu.tensor_parallel;
  const budget = gpu.memory_gib * GIB * gpu.utilization;
  const weights = (model.parameters_billions * 1e9 * (model.weight_bytes_per_parameter ?? model.dtype_bytes)) / tp;
  const kv = budget - weights - gpu.activation_reserve_gib * GIB;
  const headsPerGpu = Math.ceil(model.kv_heads / tp);
  const perToken = 2 * model.layers * headsPerGpu * model.head_dim * model.dtype_bytes;
  const perBlock = perToken * block_size_tokens;
  let blocks = Math.floor(kv / perBlock);
  const slotTokens = gpu.round_down_to_requests_of_tokens;
  if (slotTokens !== undefined) blocks = Math.floor(kv / (perToken * slotTokens)) * Math.ceil(slotTokens / block_size_tokens);
  if (!(blocks > 0)) {
    const show = (bytes: number): string => `${(bytes / GIB).toFixed(2)} GiB`;
    return `room for at least one KV ${slotTokens === undefined ? 'block' : `request of ${slotTokens} tokens`} per GPU: ${show(budget)} usable (memory_gib × utilization) − ${show(weights)} weights (÷ tp ${tp}) − ${show(gpu.activation_reserve_gib * GIB)} reserve leaves ${show(kv)}`;
  }
  return { total_blocks: blocks, budget_bytes_per_gpu: budget, weight_bytes_per_gpu: weights, kv_bytes_per_gpu: kv, kv_bytes_per_block_per_gpu: perBlock };
}
