/**
 * `balanced` pairing (artifact `need_migrate_balanced`, main's `balanced`): the defrag
 * pairing plus two guards evaluated on the load *after* a hypothetical migration of the
 * source's last admitted request (`last_running_blocks` blocks, one running request):
 * - the destination must stay at or above T, or it would become a source next round;
 * - the freeness gap must stay positive and shrink (or the destination be empty), so the
 *   pair never ping-pongs a request between two instances.
 * A terminating source skips the gap guard: it must drain whatever the gap.
 */
import { migrationFreeness, plainFreeness } from '../load/freeness.ts';
import type { MigrationPair, PairingPolicy } from '../types.ts';
import type { ClusterView, InstanceReport } from '../view.ts';
import { rank, split, zipPairs, type PairingOptions, type Ranked } from './common.ts';

export const BALANCED = 'balanced';

export interface BalancedOptions extends PairingOptions {
  /** Rank by the de-fragmentation metric (true) or by A / R (false, the artifact's use). */
  readonly defrag: boolean;
}

export function balancedPairing(options: BalancedOptions): PairingPolicy {
  const freeness = (report: InstanceReport): number =>
    options.defrag ? migrationFreeness(BALANCED, report, options) : plainFreeness(BALANCED, report);
  const worthIt = (source: Ranked, destination: Ranked): boolean => {
    const moved = source.report.last_running_blocks;
    const destinationAfter = freeness({
      ...destination.report,
      free_blocks: destination.report.free_blocks - moved,
      running: destination.report.running + 1,
    });
    if (destinationAfter < options.migrate_threshold) return false;
    if (source.report.state === 'terminating') return true;
    if (destination.report.running + destination.report.waiting === 0) return true;
    const sourceAfter = freeness({
      ...source.report,
      free_blocks: source.report.free_blocks + moved,
      running: Math.max(0, source.report.running - 1),
    });
    const before = destination.freeness - source.freeness;
    const after = destinationAfter - sourceAfter;
    // Both sides infinite gives NaN: no measurable imbalance, so no migration.
    if (Number.isNaN(before) || Number.isNaN(after)) return false;
    return after > 0 && after < before;
  };
  return {
    name: BALANCED,
    pair(view: ClusterView): MigrationPair[] {
      const { sources, destinations } = split(rank(view, freeness), options.migrate_threshold);
      return zipPairs(sources, destinations, options.max_concurrency, worthIt);
    },
  };
}
