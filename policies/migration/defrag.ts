/**
 * `defrag` pairing — what every Llumnix run of the paper uses (artifact `need_migrate_prefill_v2`):
 * rank by migration freeness with de-fragmentation, so queued demand and preempted requests
 * make an instance a source and running requests are pushed out until its head request fits.
 */
import { migrationFreeness } from '../load/freeness.ts';
import type { MigrationPair, PairingPolicy } from '../types.ts';
import type { ClusterView } from '../view.ts';
import { rank, split, zipPairs, type PairingOptions } from './common.ts';

export const DEFRAG = 'defrag';

export function defragPairing(options: PairingOptions): PairingPolicy {
  return {
    name: DEFRAG,
    pair(view: ClusterView): MigrationPair[] {
      const ranked = rank(view, (report) => migrationFreeness(DEFRAG, report, options));
      const { sources, destinations } = split(ranked, options.migrate_threshold);
      return zipPairs(sources, destinations, options.max_concurrency);
    },
  };
}
