/**
 * Builds the `place` decision every placement policy returns, so they differ only in how they
 * choose a node, not in how they report it.
 */
import type { Capacity } from './capacity.ts';
import { bestTier } from './estimate.ts';
import type { ModelView, NodeView, PlacementDecision, Victim } from './view.ts';

export type Placement = PlacementDecision & { kind: 'place' };

/**
 * Place `model` on `node` with the GPUs of `capacity`; `victims` that had to go first (preempted
 * or migrated busy instances) come before the idle ones `capacity` reclaims.
 */
export function placeOn(
  policy: string,
  model: ModelView,
  node: NodeView,
  capacity: Capacity,
  estimated_startup_s: number,
  victims: readonly Victim[] = [],
): Placement {
  return {
    kind: 'place',
    policy,
    model: model.name,
    node: node.id,
    gpus: capacity.gpus,
    tier: bestTier(node, model.name),
    estimated_startup_s,
    victims: [...victims, ...capacity.victims],
  };
}
