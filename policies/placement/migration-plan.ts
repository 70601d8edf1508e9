/**
 * Choosing which running instances to live-migrate off a node (ServerlessLLM §5.1): each busy
 * instance v has a migration estimate = load(v's model on its best target) + a·(t_in + t_out) + b;
 * a knapsack DP over "GPUs freed (capped at the shortage)" picks the cheapest set that frees
 * enough. Targets are other nodes with free GPUs; one decision never books a GPU twice.
 */
import { estimateLoad, estimateResume, modelOf } from './estimate.ts';
import type { InstanceView, NodeId, NodeView, PlacementView, Victim } from './view.ts';

export interface MigrationPlan {
  readonly victims: readonly (Victim & { action: 'migrate' })[];
  /** Σ of the chosen victims' migration estimates (upstream adds them up; so do we). */
  readonly total_s: number;
  readonly freed_gpus: readonly number[];
}

interface Option {
  readonly instance: InstanceView;
  readonly cost_s: number;
}

/** Cheapest target for one victim given what is still free: (estimate, node id) minimal. */
function bestTarget(
  policy: string,
  view: PlacementView,
  victim: InstanceView,
  free: ReadonlyMap<NodeId, readonly number[]>,
): { node: NodeView; cost_s: number } | undefined {
  const model = modelOf(view, victim.model, policy);
  let best: { node: NodeView; cost_s: number } | undefined;
  for (const node of view.nodes) {
    if (node.id === victim.node || (free.get(node.id)?.length ?? 0) < model.gpus_per_instance) continue;
    const cost_s = estimateLoad(node, model, policy) + estimateResume(victim, model);
    if (best === undefined || cost_s < best.cost_s) best = { node, cost_s };
  }
  return best;
}

export function planMigrations(
  policy: string,
  view: PlacementView,
  candidates: readonly InstanceView[],
  shortage: number,
): MigrationPlan | undefined {
  const free = new Map(view.nodes.map((n) => [n.id, n.free_gpus]));
  const options: Option[] = [];
  for (const instance of candidates) {
    const target = bestTarget(policy, view, instance, free);
    if (target !== undefined) options.push({ instance, cost_s: target.cost_s });
  }
  // dp[f] = cheapest (cost, chosen option indices) freeing min(f, shortage) GPUs.
  let dp: ({ cost: number; chosen: number[] } | undefined)[] = Array.from({ length: shortage + 1 }, (_, f) =>
    f === 0 ? { cost: 0, chosen: [] } : undefined,
  );
  options.forEach((option, index) => {
    const next = [...dp];
    for (let f = 0; f <= shortage; f++) {
      const from = dp[f];
      if (from === undefined) continue;
      const to = Math.min(shortage, f + option.instance.gpus.length);
      const cost = from.cost + option.cost_s;
      const current = next[to];
      if (current === undefined || cost < current.cost) next[to] = { cost, chosen: [...from.chosen, index] };
    }
    dp = next;
  });
  const best = dp[shortage];
  if (best === undefined) return undefined;
  // Book targets in order; a target taken by an earlier victim is not offered again.
  const victims: (Victim & { action: 'migrate' })[] = [];
  let total_s = 0;
  const freed: number[] = [];
  for (const index of best.chosen) {
    const victim = options[index]?.instance;
    if (victim === undefined) continue;
    const target = bestTarget(policy, view, victim, free);
    if (target === undefined) return undefined;
    const model = modelOf(view, victim.model, policy);
    const gpus = (free.get(target.node.id) ?? []).slice(0, model.gpus_per_instance);
    free.set(target.node.id, (free.get(target.node.id) ?? []).slice(model.gpus_per_instance));
    victims.push({ instance: victim.id, action: 'migrate', to: { node: target.node.id, gpus } });
    total_s += target.cost_s;
    freed.push(...victim.gpus);
  }
  return { victims, total_s, freed_gpus: freed };
}
