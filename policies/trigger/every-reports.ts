/**
 * `every-reports` — the artifact's count-based trigger (reference §3.1): pairing runs when
 * the running count of step reports is a multiple of N × k, N = instances that report
 * (active + terminating), k = reports per instance (4 in the paper). With 16 instances at
 * ~50 ms per step that is ≈ every 200 ms. `reports_total` grows by one per report and the
 * trigger is asked after each, so every multiple is seen exactly once.
 *
 * Because N changes with scaling, the period moves with it, exactly as in the artifact.
 */
import type { MigrationTrigger } from '../types.ts';
import type { ClusterView } from '../view.ts';

export const EVERY_REPORTS = 'every-reports';

export function everyReportsTrigger(reportsPerInstance: number): MigrationTrigger {
  return {
    name: EVERY_REPORTS,
    due(view: ClusterView): boolean {
      const reporting = view.reporting ?? countReporting(view);
      const period = reporting * reportsPerInstance;
      return period > 0 && view.reports_total > 0 && view.reports_total % period === 0;
    },
  };
}

/** Instances not `starting`, for ports that do not keep the count (one scan). */
function countReporting(view: ClusterView): number {
  let n = 0;
  for (const report of view.instances) if (report.state !== 'starting') n++;
  return n;
}
