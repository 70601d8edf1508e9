/**
 * Shared steps of migration pairing (reference §3.2): rank instances by a freeness metric,
 * split them into sources and destinations around the threshold T, pair them in order.
 */
import type { LoadOptions } from '../load/options.ts';
import type { MigrationPair } from '../types.ts';
import type { ClusterView, InstanceReport } from '../view.ts';

export interface PairingOptions extends LoadOptions {
  /** T, in freeness units (KV blocks per request): below it an instance sheds load. */
  readonly migrate_threshold: number;
  /** Most migrations an instance may take part in at once (source or destination). */
  readonly max_concurrency: number;
}

export const DEFAULT_MIGRATE_THRESHOLD = 3;
export const DEFAULT_MAX_CONCURRENCY = 1;

export interface Ranked {
  readonly report: InstanceReport;
  readonly freeness: number;
}

/** Active and terminating instances with their freeness; `starting` ones hold nothing yet. */
export function rank(view: ClusterView, freeness: (report: InstanceReport) => number): Ranked[] {
  return view.instances
    .filter((report) => report.state !== 'starting')
    .map((report) => ({ report, freeness: freeness(report) }));
}

const byId = (a: Ranked, b: Ranked): number => a.report.id - b.report.id;
// Compare, not subtract: −∞ − −∞ is NaN and would make the order undefined.
const ascending = (a: Ranked, b: Ranked): number =>
  a.freeness < b.freeness ? -1 : a.freeness > b.freeness ? 1 : byId(a, b);
const descending = (a: Ranked, b: Ranked): number =>
  a.freeness > b.freeness ? -1 : a.freeness < b.freeness ? 1 : byId(a, b);

/**
 * Sources, most loaded first: terminating, or K > 0 (a preempted request is waiting for
 * memory), or F < T. Destinations, freest first: active, K = 0 and F > T. The two sets are
 * disjoint by construction; ties go to the lowest id on both sides.
 */
export function split(ranked: readonly Ranked[], threshold: number): { sources: Ranked[]; destinations: Ranked[] } {
  const sources = ranked
    .filter(({ report, freeness }) => report.state === 'terminating' || report.killed > 0 || freeness < threshold)
    .sort(ascending);
  const destinations = ranked
    .filter(({ report, freeness }) => report.state === 'active' && report.killed === 0 && freeness > threshold)
    .sort(descending);
  return { sources, destinations };
}

/** Whether an instance can start one more migration. */
export function hasCapacity(report: InstanceReport, maxConcurrency: number): boolean {
  return report.migrations_in_flight < maxConcurrency;
}

/**
 * The i-th most loaded source with the i-th freest destination. A pair where either side is
 * at its concurrency limit is skipped, not re-paired: the artifact does the same, and
 * re-pairing would send load to a less free destination than the ranking intended.
 */
export function zipPairs(
  sources: readonly Ranked[],
  destinations: readonly Ranked[],
  maxConcurrency: number,
  accept: (source: Ranked, destination: Ranked) => boolean = () => true,
): MigrationPair[] {
  const pairs: MigrationPair[] = [];
  const n = Math.min(sources.length, destinations.length);
  for (let i = 0; i < n; i++) {
    const source = sources[i] as Ranked;
    const destination = destinations[i] as Ranked;
    if (!hasCapacity(source.report, maxConcurrency) || !hasCapacity(destination.report, maxConcurrency)) continue;
    if (!accept(source, destination)) continue;
    pairs.push({ from: source.report.id, to: destination.report.id });
  }
  return pairs;
}
