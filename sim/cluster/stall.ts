/**
 * A run that can no longer move: requests are in flight and no event is left that could move
 * them (no step, arrival, migration stage or control event). Without this check the metrics
 * sampler would keep the run alive alone, its interval coarsening towards time Infinity, and
 * the run would fail far later with a message about time, not about the requests.
 */
import { InvariantError } from '../errors.ts';
import type { SimCluster } from './sim-cluster.ts';

/** The error for a stalled run: the time, the count in flight, and up to three of them with their instance's state. */
export function stalledRunError(cluster: SimCluster, now_s: number): InvariantError {
  const stuck = [...cluster.inFlight()].filter((r) => r.phase !== 'finished');
  const examples = stuck.slice(0, 3).map((r) => {
    const instance = cluster.instances.find((i) => i.id === r.instance);
    const where = instance === undefined
      ? 'on no instance'
      : `on instance ${instance.id} (${instance.state}; ${instance.engine.running.length} running, ${instance.engine.waiting.length} waiting, ${instance.engine.free_blocks} free blocks)`;
    return `request ${r.id} ${r.phase} with ${r.num_tokens} tokens ${where}`;
  });
  return new InvariantError(
    `simulation stalled at ${now_s.toFixed(3)} s: ${stuck.length} request(s) in flight and no step, arrival, migration or control event left to move them; ${examples.join('; ')}. ` +
      'This is a bug of the simulator or of a policy: please report it with the config.',
  );
}
