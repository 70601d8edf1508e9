/**
 * `every-interval` — time-based trigger (Llumnix main polls every 0.05 s): due when at least
 * `interval_s` has passed since pairing last ran, and on the first report ever (nothing has
 * run yet, so there is no reason to wait a full interval).
 */
import type { MigrationTrigger } from '../types.ts';
import type { ClusterView } from '../view.ts';

export const EVERY_INTERVAL = 'every-interval';

/** Reports land on float times (0.15 − 0.1 < 0.05); a nanosecond of slack keeps the cadence. */
const SLACK_S = 1e-9;

export function everyIntervalTrigger(intervalS: number): MigrationTrigger {
  return {
    name: EVERY_INTERVAL,
    due(view: ClusterView, lastRunS: number | undefined): boolean {
      return lastRunS === undefined || view.now_s - lastRunS >= intervalS - SLACK_S;
    },
  };
}
