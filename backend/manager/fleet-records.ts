// The real fleet emits the same neutral records as the simulator (metrics/records.ts): every
// engine step of every instance and every live migration, through a RunObserver, on the
// caller's clock (seconds from `origin_s` of the manager's clock).
import type { AbortReason, MigrationRecord, RunObserver } from '../../metrics/index.ts';
import type { MigrationOutcome } from '../rpc/messages.ts';
import type { Fleet, MigrationRecord as FleetMigration } from './fleet.ts';

export interface FleetRecordOptions {
  /** The manager's `now_s` that is time 0 of the run's records (e.g. when a replay started). */
  readonly origin_s?: number;
  /** The run's request id (a number) of an engine request id; −1 when unknown. */
  readonly requestIndex?: (request_id: string) => number;
}

const REASONS: Readonly<Record<Exclude<MigrationOutcome, 'committed'>, AbortReason | undefined>> = {
  'aborted-dst-no-memory': 'dst-no-memory',
  'aborted-finished': 'request-finished',
  'aborted-preempted': 'request-preempted',
  'aborted-max-stages': 'max-stages',
  // No request to move, or the destination died: outside the simulator's reasons ("unknown").
  'no-request': undefined,
  'aborted-dst-failed': undefined,
};

/** Forwards the fleet's steps (when the observer takes them) and migrations to `observer`; returns an unsubscribe. */
export function observeFleet(fleet: Fleet, observer: RunObserver, options: FleetRecordOptions = {}): () => void {
  const origin = options.origin_s ?? 0;
  const index = options.requestIndex ?? (() => -1);
  let migrations = 0;
  const step = observer.step;
  const offStep = step === undefined ? () => {} : fleet.onStep((s) => step({ ...s, start_s: s.start_s - origin }));
  // A pairing that found no request to move is no migration (the simulator records none either).
  const offMigration = fleet.onMigration((m) => {
    if (m.outcome !== 'no-request') observer.migration?.(migrationRecord(m, migrations++, origin, index));
  });
  return () => {
    offStep();
    offMigration();
  };
}

export function migrationRecord(m: FleetMigration, id: number, origin_s: number, index: (request_id: string) => number): MigrationRecord {
  const committed = m.outcome === 'committed';
  return {
    id,
    request: index(m.request_id),
    from: m.from,
    to: m.to,
    started_s: m.started_s - origin_s,
    ended_s: m.ended_s - origin_s,
    status: committed ? 'committed' : 'aborted',
    reason: committed ? undefined : REASONS[m.outcome as Exclude<MigrationOutcome, 'committed'>],
    stages: m.stages,
    blocks_copied: m.blocks,
    downtime_s: m.downtime_ms / 1e3,
  };
}
