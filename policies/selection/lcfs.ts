/**
 * `LCFS` — last come, first served: the most recently admitted running request that is
 * normal priority, decoding and not migrating (the artifact default, intent version).
 *
 * Artifact quirk (§12 #3): its eligibility scan looks for *some* normal decoding request but
 * then always takes `running[-1]`, which may be high priority or still in prefill. We pick
 * the last *eligible* request instead; high-priority requests are never chosen, so an
 * instance hosting only high-priority work drains by finishing, not by migration.
 */
import type { RequestSelector } from '../types.ts';
import type { LocalRequestView, RequestId } from '../view.ts';
import { minBy, movable } from './common.ts';

export const LCFS = 'LCFS';

export function lcfsSelector(): RequestSelector {
  return {
    name: LCFS,
    select(running: readonly LocalRequestView[]): RequestId | undefined {
      const eligible = running.filter((r) => movable(r) && r.priority === 'normal');
      // Latest admit order wins; equal orders (should not happen) → lowest id.
      return minBy(eligible, (a, b) => b.admit_order - a.admit_order || a.id - b.id)?.id;
    },
  };
}
