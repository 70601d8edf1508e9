import type { RunSummary } from '../../../metrics/index.ts';
import { type Claim, maxOf, maxSaving, type Pair, ratios, usedKeys, withPaper } from '../claims.ts';
import { COST_PANEL, LATENCY_PANELS, recordWeightedInstances } from '../panels.ts';
import { FIG14_PAPER } from './paper-claims.ts';

/**
 * Fig. 14 claims per row (§8.3): latency ratios INFaaS++ / Llumnix, max over points; cost
 * saving = INFaaS++ instances / Llumnix instances − 1, max over points (time-weighted, and
 * record-weighted as the artifact averaged when the summary has it).
 */
export function fig14Claims(rows: readonly { row: 'poisson' | 'gamma'; label: string; pairs: readonly Pair<RunSummary>[] }[]): Claim[] {
  const claims: Claim[] = [];
  for (const { row, label, pairs } of rows) {
    const at = (keys: readonly string[]) => keys.map((k) => `${row === 'poisson' ? 'rate' : 'CV'} ${k}`);
    for (const p of LATENCY_PANELS) {
      claims.push({ id: `${row}.${p.key}.up_to`, text: `${label}, ${p.label}: INFaaS++ / Llumnix, max over points`, unit: 'x', ours: maxOf(ratios(pairs, p.get)), points: at(usedKeys(pairs, p.get)) });
    }
    claims.push({ id: `${row}.cost_saving`, text: `${label}, cost saving (time-weighted instances), max over points`, unit: '%', ours: maxSaving(pairs, COST_PANEL.get), points: at(usedKeys(pairs, COST_PANEL.get)) });
    if (pairs.every((p) => recordWeightedInstances(p.base) !== undefined && recordWeightedInstances(p.ours) !== undefined)) {
      claims.push({
        id: `${row}.cost_saving_record_weighted`,
        text: `${label}, cost saving (record-weighted instances, as the artifact), max over points`,
        unit: '%',
        ours: maxSaving(pairs, (s) => recordWeightedInstances(s) ?? Number.NaN),
        points: at(pairs.map((p) => p.key)),
      });
    }
    const fewer = pairs.filter((p) => COST_PANEL.get(p.ours) < COST_PANEL.get(p.base)).length;
    claims.push({ id: `${row}.fewer_instances_share`, text: `${label}, points where Llumnix uses fewer instances on average`, unit: '%', ours: pairs.length === 0 ? undefined : (fewer / pairs.length) * 100, points: at(pairs.map((p) => p.key)) });
  }
  return withPaper(claims, FIG14_PAPER);
}
