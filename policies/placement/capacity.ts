/**
 * What a node can give a new instance right now: its free GPUs plus the GPUs of idle
 * (kept-alive) instances, which are unloaded at no cost — a kept-alive instance only holds
 * GPUs in case its model is asked for again.
 */
import type { InstanceView, NodeView, PlacementView, Victim } from './view.ts';

export interface Capacity {
  readonly gpus: readonly number[];
  /** Idle instances to unload (in id order) to reach `gpus`. */
  readonly victims: readonly Victim[];
}

export function isIdle(instance: InstanceView): boolean {
  return instance.state === 'ready' && instance.inferences.length === 0;
}

export function instancesOn(view: PlacementView, node: NodeView): InstanceView[] {
  return view.instances.filter((i) => i.node === node.id);
}

/**
 * The first `wanted` GPUs the node can give: free ones first, then idle instances' (lowest id
 * first); undefined when even reclaiming every idle instance is not enough.
 */
export function takeGpus(view: PlacementView, node: NodeView, wanted: number, extraFreed: readonly number[] = []): Capacity | undefined {
  const gpus = [...node.free_gpus, ...extraFreed];
  const victims: Victim[] = [];
  for (const instance of instancesOn(view, node)) {
    if (gpus.length >= wanted) break;
    if (!isIdle(instance)) continue;
    gpus.push(...instance.gpus);
    victims.push({ instance: instance.id, action: 'preempt', idle: true });
  }
  if (gpus.length < wanted) return undefined;
  return { gpus: [...gpus].slice(0, wanted).sort((a, b) => a - b), victims };
}

/** GPUs free or held by idle instances on the node. */
export function reclaimableGpus(view: PlacementView, node: NodeView): number {
  let n = node.free_gpus.length;
  for (const instance of instancesOn(view, node)) if (isIdle(instance)) n += instance.gpus.length;
  return n;
}
