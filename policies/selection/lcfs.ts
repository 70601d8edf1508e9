/**
 * `LCFS` — last come, first served: the most recently admitted running request that is
 * normal priority, decoding and not migrating (the artifact default, intent version).
 *
 * Artifact quirk (§12 #3): its eligibility scan looks for *some* normal decoding request but
 * then always takes `running[-1]`, which may be high priority or still in prefill. We pick
 * the last *eligible* request instead; high-priority requests are chosen only by a draining
 * instance with no normal request left.
 */
import type { RequestSelector, SelectionContext } from '../types.ts';
import type { LocalRequestView, RequestId } from '../view.ts';
import { candidates, minBy } from './common.ts';

export const LCFS = 'LCFS';

export function lcfsSelector(): RequestSelector {
  return {
    name: LCFS,
    select(running: readonly LocalRequestView[], context?: SelectionContext): RequestId | undefined {
      const eligible = candidates(running, context);
      // Latest admit order wins; equal orders (should not happen) → lowest id.
      return minBy(eligible, (a, b) => b.admit_order - a.admit_order || a.id - b.id)?.id;
    },
  };
}
