// The PlacementView the policies/placement policies read, built from the real fleet: what each
// node holds (disk, DRAM), its free slots, its loading backlog, measured start-up times, and
// for each instance the progress of its inferences as the manager sees their streams. A node
// agent's holdings and bandwidths are its reports' (FleetNode.syncHoldings, bandwidth).
import type { InstanceView, ModelView, NodeView, PlacementView } from '../../policies/placement/index.ts';
import type { FleetNode } from './node.ts';

/** What the view needs of one instance. */
export interface InstanceFacts {
  readonly id: number;
  readonly model: string;
  readonly node: number;
  readonly gpus: readonly number[];
  readonly state: 'waiting' | 'loading' | 'ready' | 'migrating' | 'stopped';
  readonly inferences: InstanceView['inferences'];
  /** Seconds since the manager started when its load began (loading instances). */
  readonly load_started_s: number | undefined;
}

/** The mean measured start-up of the node's instances, or the estimate before any was measured. */
export function measuredStartup(node: FleetNode, estimate_s: number): number {
  const s = node.startups_s;
  return s.length === 0 ? estimate_s : s.reduce((a, b) => a + b, 0) / s.length;
}

export function buildPlacementView(
  now_s: number,
  nodes: readonly FleetNode[],
  models: ReadonlyMap<string, ModelView>,
  instances: Iterable<InstanceFacts>,
  startup_estimate_s: number,
): PlacementView {
  const live = [...instances].filter((i) => i.state !== 'stopped').sort((a, b) => a.id - b.id);
  const nodeViews = nodes.map((node): NodeView => {
    const overhead = measuredStartup(node, startup_estimate_s);
    // Loads in progress on this node: what is left of their estimated start-up.
    let backlog = 0;
    for (const i of live) if (i.node === node.id && i.state === 'loading' && i.load_started_s !== undefined) backlog += Math.max(0, overhead - (now_s - i.load_started_s));
    return {
      id: node.id,
      gpus_total: node.owner.length,
      free_gpus: node.free_gpus,
      dram_models: [...node.dram].sort(),
      ssd_models: [...node.ssd].sort(),
      loading_backlog_s: backlog,
      bandwidth: node.bandwidth(),
      load_overhead_s: overhead,
    };
  });
  const instanceViews = live.map((i): InstanceView => ({
    id: i.id,
    model: i.model,
    node: i.node,
    gpus: [...i.gpus],
    state: i.state === 'ready' ? 'ready' : i.state === 'migrating' ? 'migrating' : 'loading',
    inferences: i.inferences,
  }));
  return { now_s, nodes: [...nodeViews].sort((a, b) => a.id - b.id), models, instances: instanceViews };
}
