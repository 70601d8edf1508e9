import type { InstanceReport, InstanceState } from '../view.ts';
import { fleetDispatchFreeness } from './aggregate.ts';

/** An instance as a scale-in drain sees it. */
export interface DrainCandidate {
  readonly id: number;
  readonly state: InstanceState;
  /** False for instances outside migration (external servers). */
  readonly migratable: boolean;
  /** Migrations in flight on it now. */
  readonly migrations: number;
  readonly report: InstanceReport;
}

/**
 * Where a draining instance's next request goes (scale-in drains by live migration): the active,
 * migratable instance with the most free KV blocks per request — dispatch's load metric — among
 * those below the migration cap; undefined when none can take one now.
 */
export function drainDestination(candidates: readonly DrainCandidate[], from: number, migrationCap: number): number | undefined {
  let best: { id: number; freeness: number } | undefined;
  for (const m of candidates) {
    if (m.id === from || m.state !== 'active' || !m.migratable || m.migrations >= migrationCap) continue;
    const freeness = fleetDispatchFreeness([m.report]);
    if (best === undefined || freeness > best.freeness) best = { id: m.id, freeness };
  }
  return best?.id;
}
