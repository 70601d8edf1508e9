/**
 * Extension points of the global scheduler, one small interface each (as the Kubernetes
 * scheduler splits filter / score / bind): dispatch, migration pairing, migration request
 * selection, migration triggering, scaling. Every policy has a `name`.
 */
import type {
  ArrivingRequest,
  ClusterView,
  Decision,
  InstanceId,
  LocalRequestView,
  RequestId,
  Verdict,
} from './view.ts';

/**
 * What a dispatch policy's view holds: `reports`, each instance's last step report (what
 * Llumnix's manager and fleetlab's real backend see: stale between steps), or `live`, the
 * instances' state at the arrival itself (what Vidur's global scheduler reads; the simulator can
 * give it, a real manager cannot).
 */
export type DispatchReads = 'reports' | 'live';

/** Picks the instance an arriving request goes to. */
export interface DispatchPolicy {
  readonly name: string;
  /** The view the cluster must pass to `choose` (absent: `reports`). */
  readonly reads?: DispatchReads;
  choose(request: ArrivingRequest, view: ClusterView): Verdict<InstanceId>;
}

export interface MigrationPair {
  readonly from: InstanceId;
  readonly to: InstanceId;
}

/** Decides which instances exchange load (source → destination), most urgent pair first. */
export interface PairingPolicy {
  readonly name: string;
  pair(view: ClusterView): MigrationPair[];
}

/** What the source instance knows about itself when it picks a request to migrate. */
export interface SelectionContext {
  /** The source is a scale-in victim: everything must leave, high-priority work included. */
  readonly draining: boolean;
}

/**
 * Runs on the source instance (Llumnix's llumlet): which running request to migrate, from the
 * instance's live running batch. `undefined` when no request is eligible.
 */
export interface RequestSelector {
  readonly name: string;
  select(running: readonly LocalRequestView[], context?: SelectionContext): RequestId | undefined;
}

/** When pairing runs: after some number of reports, or every so many seconds. */
export interface MigrationTrigger {
  readonly name: string;
  /** Called after every step report; true when pairing should run now. */
  due(view: ClusterView, last_run_s: number | undefined): boolean;
}

/** Auto-scaling: called every `interval_s`, from `first_check_s` on. */
export interface ScalingPolicy {
  readonly name: string;
  readonly interval_s: number;
  readonly first_check_s: number;
  /** `scale-up` and `scale-down` decisions (empty: keep the fleet as it is). */
  decide(view: ClusterView): Decision[];
}
