/**
 * Availability-driven placement (ServerlessLLM's "Serverless" baseline, upstream FCFS
 * scheduler): the first node, by id, with enough free GPUs, wherever the checkpoint is.
 */
import { takeGpus } from './capacity.ts';
import { placeOn } from './decision.ts';
import { estimateLoad, modelOf } from './estimate.ts';
import type { PlacementDecision, PlacementPolicy, PlacementRequest, PlacementView } from './view.ts';

export const AVAILABILITY = 'availability';

/** The first node with capacity, or undefined. Shared by the policies that fall back to it. */
export function firstAvailable(policy: string, request: PlacementRequest, view: PlacementView): PlacementDecision | undefined {
  const model = modelOf(view, request.model, policy);
  for (const node of view.nodes) {
    const capacity = takeGpus(view, node, model.gpus_per_instance);
    if (capacity === undefined) continue;
    return placeOn(policy, model, node, capacity, estimateLoad(node, model, policy));
  }
  return undefined;
}

export function availabilityPlacement(): PlacementPolicy {
  return {
    name: AVAILABILITY,
    place(request, view) {
      return (
        firstAvailable(AVAILABILITY, request, view) ?? {
          kind: 'reject',
          policy: AVAILABILITY,
          model: request.model,
          reasons: [`no node has ${modelOf(view, request.model, AVAILABILITY).gpus_per_instance} free GPU(s)`],
        }
      );
    },
  };
}
