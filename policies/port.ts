import type { MigrationPair, SelectionContext } from './types.ts';
import type { ArrivingRequest, ClusterView, Decision, InstanceId, LocalRequestView, RequestId, Verdict } from './view.ts';

/**
 * What a cluster asks of the global scheduler: the simulator's `SimCluster` and the real
 * backend's manager both drive it through this port, so neither needs the other. It only ever
 * sees views and returns data.
 */
export interface FleetScheduler {
  /**
   * The view `dispatch` wants: `reports` (last step reports) or `live` (state at the arrival).
   * Absent means `reports`; a cluster that cannot read live state (the real backend's manager)
   * passes reports and says so in its docs.
   */
  readonly dispatchReads?: 'reports' | 'live';
  dispatch(request: ArrivingRequest, view: ClusterView): Verdict<InstanceId>;
  /** Called after every instance step report; returns the migrations to start now. */
  onReport(view: ClusterView): readonly MigrationPair[];
  /** The source's local policy: which running request to migrate (undefined: none eligible). */
  selectRequest(running: readonly LocalRequestView[], context: SelectionContext): RequestId | undefined;
  /** Auto-scaling cadence; undefined for a fixed fleet. */
  readonly scaling: { readonly interval_s: number; readonly first_check_s: number } | undefined;
  /** Called every scaling interval: scale-up / scale-down decisions. */
  onScalingTick(view: ClusterView): readonly Decision[];
}
