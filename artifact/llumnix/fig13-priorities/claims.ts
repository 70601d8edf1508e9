import type { LatencySummary } from '../../../metrics/index.ts';
import { type Claim, maxOf, minOf, type Pair, ratios, usedKeys, withPaper } from '../claims.ts';
import { EXECUTION_PANEL, LATENCY_PANELS, type Panel } from '../panels.ts';
import { FIG13_PAPER } from './paper-claims.ts';

const PANELS: readonly Panel<LatencySummary>[] = [...LATENCY_PANELS, EXECUTION_PANEL];

/**
 * Fig. 13 claims (§8.6): High = Llumnix-base / Llumnix (gain, min and max over CVs); Normal =
 * Llumnix / Llumnix-base − 1 (the cost normal requests pay, largest over CVs, %).
 * `pairs` hold each class's latency summary per CV (base, ours).
 */
export function fig13Claims(high: readonly Pair<LatencySummary>[], normal: readonly Pair<LatencySummary>[]): Claim[] {
  const claims: Claim[] = [];
  for (const p of PANELS) {
    const gains = ratios(high, p.get);
    const points = usedKeys(high, p.get).map((cv) => `CV ${cv}`);
    claims.push(
      { id: `high.${p.key}.min`, text: `High priority, ${p.label}: Llumnix-base / Llumnix, smallest over CVs`, unit: 'x', ours: minOf(gains), points },
      { id: `high.${p.key}.max`, text: `High priority, ${p.label}: Llumnix-base / Llumnix, largest over CVs`, unit: 'x', ours: maxOf(gains), points },
    );
  }
  for (const p of PANELS) {
    const increases = ratios(normal, p.get).map((r) => (1 / r - 1) * 100);
    const points = usedKeys(normal, p.get).map((cv) => `CV ${cv}`);
    claims.push({ id: `normal.${p.key}.max_increase`, text: `Normal priority, ${p.label}: Llumnix / Llumnix-base − 1, largest over CVs`, unit: '%', ours: maxOf(increases), points });
  }
  return withPaper(claims, FIG13_PAPER);
}
