/**
 * ServerlessLLM's per-model auto-scaling rule (upstream router's autoscaler loop):
 * desired = clamp(ceil(in-flight / target), min_instances, max_instances).
 */

/** The fields of ServerlessLLM's `auto_scaling_config` the policies read. */
export interface ServerlessScalingRule {
  /** `concurrency`: an instance takes up to `target` requests at once; anything else: 1. */
  readonly metric: string;
  readonly target: number;
  readonly min_instances: number;
  readonly max_instances: number;
  /** Seconds an idle, over-provisioned instance is kept before unloading. */
  readonly keep_alive: number;
}

export function desiredInstances(inFlight: number, rule: ServerlessScalingRule): number {
  const wanted = Math.ceil(inFlight / rule.target);
  return Math.min(rule.max_instances, Math.max(rule.min_instances, wanted));
}

/** Requests one instance serves at once: `target` under the concurrency metric, else 1. */
export function instanceCapacity(rule: ServerlessScalingRule): number {
  return rule.metric === 'concurrency' ? rule.target : 1;
}
