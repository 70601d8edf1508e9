/**
 * ServerlessLLM's startup-time-optimised placement (§5.1): for every node, estimate when the
 * new instance could start — a plain load if GPUs are free (from whatever tier the node has),
 * or, on a node holding the checkpoint locally, live-migrating victims away first
 * (Σ migration estimates + the load) — and take the minimum (ties: lowest node id).
 * A third option is waiting for a local node's running inferences to end (bounded by their
 * max_tokens): if that is the minimum, the policy declines for now and is asked again later.
 */
import { instancesOn, reclaimableGpus, takeGpus } from './capacity.ts';
import { placeOn, type Placement } from './decision.ts';
import { estimateLoad, estimateRemaining, holdsLocally, modelOf } from './estimate.ts';
import { planMigrations } from './migration-plan.ts';
import { busyCandidates } from './preempt.ts';
import type { InstanceView, PlacementPolicy, PlacementView } from './view.ts';

export const LOCALITY_MIGRATE = 'locality-migrate';

export function localityMigratePlacement(options: { migration: boolean } = { migration: true }): PlacementPolicy {
  return {
    name: LOCALITY_MIGRATE,
    place(request, view) {
      const model = modelOf(view, request.model, LOCALITY_MIGRATE);
      let best: Placement | undefined;
      let wait: { node: number; s: number } | undefined;
      const consider = (decision: Placement): void => {
        if (best === undefined || decision.estimated_startup_s < best.estimated_startup_s) best = decision;
      };
      for (const node of view.nodes) {
        const capacity = takeGpus(view, node, model.gpus_per_instance);
        if (capacity !== undefined) {
          consider(placeOn(LOCALITY_MIGRATE, model, node, capacity, estimateLoad(node, model, LOCALITY_MIGRATE)));
          continue;
        }
        if (!holdsLocally(node, model.name)) continue;
        const shortage = model.gpus_per_instance - reclaimableGpus(view, node);
        const waited = waitEstimate(view, instancesOn(view, node), shortage);
        if (waited !== undefined) {
          const s = waited + estimateLoad(node, model, LOCALITY_MIGRATE);
          if (wait === undefined || s < wait.s) wait = { node: node.id, s };
        }
        if (!options.migration) continue;
        const plan = planMigrations(LOCALITY_MIGRATE, view, busyCandidates(instancesOn(view, node), model.name), shortage);
        if (plan === undefined) continue;
        const rest = takeGpus(view, node, model.gpus_per_instance, plan.freed_gpus);
        if (rest === undefined) continue;
        consider(placeOn(LOCALITY_MIGRATE, model, node, rest, plan.total_s + estimateLoad(node, model, LOCALITY_MIGRATE), plan.victims));
      }
      if (wait !== undefined && (best === undefined || wait.s < best.estimated_startup_s)) {
        return {
          kind: 'reject',
          policy: LOCALITY_MIGRATE,
          model: model.name,
          reasons: [`waiting for node ${wait.node}: ready in ~${wait.s.toFixed(3)} s, sooner than any placement now`],
        };
      }
      return (
        best ?? {
          kind: 'reject',
          policy: LOCALITY_MIGRATE,
          model: model.name,
          reasons: [options.migration ? 'no free GPUs and no migration plan frees a node holding the checkpoint' : 'no free GPUs'],
        }
      );
    },
  };
}

/** Seconds until running instances on the node free `shortage` GPUs (their max_tokens bound). */
function waitEstimate(view: PlacementView, instances: readonly InstanceView[], shortage: number): number | undefined {
  const ends = instances
    .filter((i) => i.inferences.length > 0)
    .map((i) => ({ gpus: i.gpus.length, s: estimateRemaining(i, modelOf(view, i.model, LOCALITY_MIGRATE)) }))
    .sort((a, b) => a.s - b.s);
  let freed = 0;
  for (const end of ends) {
    freed += end.gpus;
    if (freed >= shortage) return end.s;
  }
  return undefined;
}
