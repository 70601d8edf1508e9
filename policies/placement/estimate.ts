/**
 * Startup-time estimators of ServerlessLLM §5.1, computed only from the view:
 * load = q + n / b (q: the node's loading backlog, n: checkpoint bytes, b: the bottleneck
 * bandwidth of the tier path) + the node's measured per-load overhead; resume = a·(t_in + t_out) + b.
 */
import { PolicyInputError } from '../errors.ts';
import type { InstanceView, ModelView, NodeView, PlacementView, Tier } from './view.ts';

/** The fastest tier this node holds `model` in (`remote` when it holds none). */
export function bestTier(node: NodeView, model: string): Tier {
  if (node.dram_models.includes(model)) return 'dram';
  if (node.ssd_models.includes(model)) return 'ssd';
  return 'remote';
}

/** Whether the node holds the checkpoint locally (DRAM or SSD). */
export function holdsLocally(node: NodeView, model: string): boolean {
  return bestTier(node, model) !== 'remote';
}

/**
 * Bottleneck bandwidth of the path from `tier` to `gpus` GPUs. Every path ends with the PCIe
 * links of the instance's GPUs (parallel, one per GPU); SSD and network feed one DRAM pool.
 */
export function pathBandwidth(node: NodeView, tier: Tier, gpus: number): number {
  const pcie = node.bandwidth.pcie_bytes_per_s_per_gpu * gpus;
  switch (tier) {
    case 'dram':
      return pcie;
    case 'ssd':
      return Math.min(node.bandwidth.ssd_bytes_per_s, pcie);
    case 'remote':
      return Math.min(node.bandwidth.network_bytes_per_s, pcie);
  }
}

export function modelOf(view: PlacementView, name: string, policy: string): ModelView {
  const model = view.models.get(name);
  if (model === undefined) throw new Error(`${policy}: model "${name}" is not in the view's catalogue`);
  return model;
}

/** Estimated seconds until `model` is loaded on `node` from its best tier, queue included. */
export function estimateLoad(node: NodeView, model: ModelView, policy: string, extraBacklog_s = 0): number {
  const tier = bestTier(node, model.name);
  const seconds =
    node.loading_backlog_s + extraBacklog_s + node.load_overhead_s + model.size_bytes / pathBandwidth(node, tier, model.gpus_per_instance);
  if (!Number.isFinite(seconds) || seconds < 0) throw new PolicyInputError(policy, 'load estimate', node.id, seconds);
  return seconds;
}

/** Tokens an inference has so far (t_in + t_out), summed over the instance's inferences. */
export function tokensSoFar(instance: InstanceView): number {
  let tokens = 0;
  for (const inference of instance.inferences) tokens += inference.prompt_tokens + inference.generated_tokens;
  return tokens;
}

/** a·(t_in + t_out) + b: time to recompute the KV cache of the instance's inferences. */
export function estimateResume(instance: InstanceView, model: ModelView): number {
  return model.resume_s_per_token * tokensSoFar(instance) + model.resume_base_s;
}

/** Upper bound on how long the instance stays busy: its longest remaining inference. */
export function estimateRemaining(instance: InstanceView, model: ModelView): number {
  let tokens = 0;
  for (const inference of instance.inferences) tokens = Math.max(tokens, inference.max_tokens - inference.generated_tokens);
  return tokens * model.decode_s_per_token;
}
