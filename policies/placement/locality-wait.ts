/**
 * Locality-driven placement: only nodes holding the checkpoint (DRAM or SSD) are candidates;
 * if all of them are busy, wait for one (upstream's storage-aware scheduler without
 * migration). A model stored nowhere locally falls back to availability (remote load).
 */
import { firstAvailable } from './availability.ts';
import { takeGpus } from './capacity.ts';
import { placeOn, type Placement } from './decision.ts';
import { estimateLoad, holdsLocally, modelOf } from './estimate.ts';
import type { PlacementDecision, PlacementPolicy, PlacementRequest, PlacementView } from './view.ts';

export const LOCALITY_WAIT = 'locality-wait';

/** The holder with capacity and the smallest load estimate (ties: lowest node id). */
export function bestLocalHolder(policy: string, request: PlacementRequest, view: PlacementView): PlacementDecision | undefined {
  const model = modelOf(view, request.model, policy);
  let best: Placement | undefined;
  for (const node of view.nodes) {
    if (!holdsLocally(node, model.name)) continue;
    const capacity = takeGpus(view, node, model.gpus_per_instance);
    if (capacity === undefined) continue;
    const estimate = estimateLoad(node, model, policy);
    if (best === undefined || estimate < best.estimated_startup_s) best = placeOn(policy, model, node, capacity, estimate);
  }
  return best;
}

export function localityWaitPlacement(): PlacementPolicy {
  return {
    name: LOCALITY_WAIT,
    place(request, view) {
      const holders = view.nodes.filter((n) => holdsLocally(n, request.model));
      if (holders.length === 0) {
        return (
          firstAvailable(LOCALITY_WAIT, request, view) ?? {
            kind: 'reject',
            policy: LOCALITY_WAIT,
            model: request.model,
            reasons: ['stored on no node locally and no node has free GPUs'],
          }
        );
      }
      return (
        bestLocalHolder(LOCALITY_WAIT, request, view) ?? {
          kind: 'reject',
          policy: LOCALITY_WAIT,
          model: request.model,
          reasons: [`waiting for node(s) ${holders.map((n) => n.id).join(', ')} holding the checkpoint`],
        }
      );
    },
  };
}
