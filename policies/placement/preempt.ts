/**
 * Preemption-driven placement (the paper's Shepherd*): go to the node holding the checkpoint;
 * if its GPUs are busy, kill running instances there and restart their inferences elsewhere
 * from scratch. Victims: the busy instances with the least work done (fewest tokens so far),
 * which loses the least. Nodes holding nothing locally are used only through availability.
 */
import { firstAvailable } from './availability.ts';
import { instancesOn, reclaimableGpus, takeGpus } from './capacity.ts';
import { placeOn, type Placement } from './decision.ts';
import { estimateLoad, holdsLocally, modelOf, tokensSoFar } from './estimate.ts';
import { bestLocalHolder } from './locality-wait.ts';
import type { InstanceView, PlacementPolicy, Victim } from './view.ts';

export const PREEMPT = 'preempt';

/** Busy instances that may be evicted: serving, not the new model's, not mid-migration. */
export function busyCandidates(instances: readonly InstanceView[], model: string): InstanceView[] {
  return instances.filter((i) => i.state === 'ready' && i.inferences.length > 0 && i.model !== model);
}

export function preemptPlacement(): PlacementPolicy {
  return {
    name: PREEMPT,
    place(request, view) {
      const local = bestLocalHolder(PREEMPT, request, view);
      if (local !== undefined) return local;
      const model = modelOf(view, request.model, PREEMPT);
      let best: { decision: Placement; lost: number } | undefined;
      for (const node of view.nodes) {
        if (!holdsLocally(node, model.name)) continue;
        const shortage = model.gpus_per_instance - reclaimableGpus(view, node);
        const candidates = busyCandidates(instancesOn(view, node), model.name).sort(
          (a, b) => tokensSoFar(a) - tokensSoFar(b) || a.id - b.id,
        );
        const killed: InstanceView[] = [];
        let freed = 0;
        for (const victim of candidates) {
          if (freed >= shortage) break;
          killed.push(victim);
          freed += victim.gpus.length;
        }
        if (freed < shortage) continue;
        const capacity = takeGpus(view, node, model.gpus_per_instance, killed.flatMap((k) => k.gpus));
        if (capacity === undefined) continue;
        const lost = killed.reduce((sum, k) => sum + tokensSoFar(k), 0);
        const preempted = killed.map((k): Victim => ({ instance: k.id, action: 'preempt', idle: false }));
        const decision = placeOn(PREEMPT, model, node, capacity, estimateLoad(node, model, PREEMPT), preempted);
        if (
          best === undefined ||
          decision.estimated_startup_s < best.decision.estimated_startup_s ||
          (decision.estimated_startup_s === best.decision.estimated_startup_s && lost < best.lost)
        ) {
          best = { decision, lost };
        }
      }
      if (best !== undefined) return best.decision;
      return (
        firstAvailable(PREEMPT, request, view) ?? {
          kind: 'reject',
          policy: PREEMPT,
          model: request.model,
          reasons: ['no free GPUs and nothing to preempt on the nodes holding the checkpoint'],
        }
      );
    },
  };
}
