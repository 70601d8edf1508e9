import type {
  ArrivingRequest,
  ClusterView,
  InstanceId,
  LocalRequestView,
  MigrationPair,
  RequestId,
  Verdict,
} from '../../policies/index.ts';

/**
 * What the simulated cluster asks of the global scheduler (policies/). The same object drives
 * the real backend: it only ever sees views and returns data.
 */
export interface FleetScheduler {
  dispatch(request: ArrivingRequest, view: ClusterView): Verdict<InstanceId>;
  /** Called after every instance step report; returns the migrations to start now. */
  onReport(view: ClusterView): readonly MigrationPair[];
  /** The source's local policy: which running request to migrate (undefined: none eligible). */
  selectRequest(running: readonly LocalRequestView[]): RequestId | undefined;
}
