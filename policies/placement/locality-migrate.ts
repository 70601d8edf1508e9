/**
 * ServerlessLLM's startup-time-optimised placement (§5.1): for every node, estimate when the
 * new instance could start — a plain load if GPUs are free (from whatever tier the node has),
 * or, on a node holding the checkpoint locally, live-migrating victims away first
 * (Σ migration estimates + the load) — and take the minimum (ties: lowest node id).
 */
import { instancesOn, reclaimableGpus, takeGpus } from './capacity.ts';
import { bestTier, estimateLoad, holdsLocally, modelOf } from './estimate.ts';
import { planMigrations } from './migration-plan.ts';
import { busyCandidates } from './preempt.ts';
import type { PlacementDecision, PlacementPolicy } from './view.ts';

export const LOCALITY_MIGRATE = 'locality-migrate';

export function localityMigratePlacement(options: { migration: boolean } = { migration: true }): PlacementPolicy {
  return {
    name: LOCALITY_MIGRATE,
    place(request, view) {
      const model = modelOf(view, request.model, LOCALITY_MIGRATE);
      let best: (PlacementDecision & { kind: 'place' }) | undefined;
      const consider = (decision: PlacementDecision & { kind: 'place' }): void => {
        if (best === undefined || decision.estimated_startup_s < best.estimated_startup_s) best = decision;
      };
      for (const node of view.nodes) {
        const base = {
          kind: 'place' as const,
          policy: LOCALITY_MIGRATE,
          model: model.name,
          node: node.id,
          tier: bestTier(node, model.name),
        };
        const capacity = takeGpus(view, node, model.gpus_per_instance);
        if (capacity !== undefined) {
          consider({ ...base, gpus: capacity.gpus, estimated_startup_s: estimateLoad(node, model, LOCALITY_MIGRATE), victims: capacity.victims });
          continue;
        }
        if (!options.migration || !holdsLocally(node, model.name)) continue;
        const shortage = model.gpus_per_instance - reclaimableGpus(view, node);
        const plan = planMigrations(LOCALITY_MIGRATE, view, busyCandidates(instancesOn(view, node), model.name), shortage);
        if (plan === undefined) continue;
        const rest = takeGpus(view, node, model.gpus_per_instance, plan.freed_gpus);
        if (rest === undefined) continue;
        consider({
          ...base,
          gpus: rest.gpus,
          estimated_startup_s: plan.total_s + estimateLoad(node, model, LOCALITY_MIGRATE),
          victims: [...plan.victims, ...rest.victims],
        });
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
