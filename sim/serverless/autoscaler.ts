/**
 * ServerlessLLM's per-model auto-scaling rule (upstream router's autoscaler loop):
 * desired = clamp(ceil(in-flight / target), min_instances, max_instances).
 */
import type { CatalogueEntry } from './catalogue.ts';

export function desiredInstances(inFlight: number, scaling: CatalogueEntry['auto_scaling']): number {
  const wanted = Math.ceil(inFlight / scaling.target);
  return Math.min(scaling.max_instances, Math.max(scaling.min_instances, wanted));
}

/** Requests one instance serves at once: `target` under the concurrency metric, else 1. */
export function instanceCapacity(scaling: CatalogueEntry['auto_scaling']): number {
  return scaling.metric === 'concurrency' ? scaling.target : 1;
}
