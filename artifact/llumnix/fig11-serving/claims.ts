import type { RunSummary } from '../../../metrics/index.ts';
import { type Claim, maxOf, meanAbsoluteReduction, meanRelativeReduction, type Pair, pairUp, ratios, usedKeys, withPaper } from '../claims.ts';
import { LATENCY_PANELS, PREEMPTION_PANEL } from '../panels.ts';
import { FIG11_PAPER } from './paper-claims.ts';

export interface Fig11Point {
  readonly trace: string;
  readonly rate: number;
  readonly system: string;
  readonly summary: RunSummary;
}

const REAL = new Set(['ShareGPT', 'BurstGPT']);
const panel = (key: string) => {
  const p = LATENCY_PANELS.find((x) => x.key === key);
  if (p === undefined) throw new Error(`fig11 claims: no panel ${key}`);
  return p;
};

function upTo(group: string, vs: string, pairs: readonly Pair<RunSummary>[], key: string, what: string): Claim {
  return { id: `${group}.${vs}.${key}.up_to`, text: `${what}: baseline / Llumnix, max over points`, unit: 'x', ours: maxOf(ratios(pairs, panel(key).get)), points: usedKeys(pairs, panel(key).get) };
}

const keys = (pairs: readonly Pair<RunSummary>[]): string[] => pairs.map((p) => p.key);

/**
 * Fig. 11 claims as §8.3 aggregates them: real-data rows against Round-Robin (and INFaaS++ for
 * prefill and decode P99), generated rows against INFaaS++.
 */
export function fig11Claims(points: readonly Fig11Point[]): Claim[] {
  const keyed = points.map((p) => ({ key: `${p.trace}@${p.rate}`, system: p.system, summary: p.summary, real: REAL.has(p.trace) }));
  const real = keyed.filter((p) => p.real);
  const gen = keyed.filter((p) => !p.real);
  const realRr = pairUp(real, 'Round-Robin', 'Llumnix');
  const realInf = pairUp(real, 'INFaaS++', 'Llumnix');
  const genInf = pairUp(gen, 'INFaaS++', 'Llumnix');
  const allInf = pairUp(keyed, 'INFaaS++', 'Llumnix');
  const loss = PREEMPTION_PANEL.get;
  const wins = allInf.filter((p) => panel('prefill_p99').get(p.ours) < panel('prefill_p99').get(p.base)).length;
  const claims: Claim[] = [
    upTo('real', 'rr', realRr, 'request_mean', 'Real data vs Round-Robin, request latency mean'),
    upTo('real', 'rr', realRr, 'request_p99', 'Real data vs Round-Robin, request latency P99'),
    upTo('real', 'rr', realRr, 'prefill_mean', 'Real data vs Round-Robin, prefill latency mean'),
    upTo('real', 'rr', realRr, 'prefill_p99', 'Real data vs Round-Robin, prefill latency P99'),
    upTo('real', 'rr', realRr, 'decode_p99', 'Real data vs Round-Robin, decode latency P99'),
    { id: 'real.rr.preemption_loss.mean_reduction', text: 'Real data vs Round-Robin, preemption loss reduction, mean over points', unit: '%', ours: meanRelativeReduction(realRr, loss), points: keys(realRr) },
    upTo('real', 'infaas', realInf, 'prefill_mean', 'Real data vs INFaaS++, prefill latency mean'),
    upTo('real', 'infaas', realInf, 'prefill_p99', 'Real data vs INFaaS++, prefill latency P99'),
    upTo('real', 'infaas', realInf, 'decode_p99', 'Real data vs INFaaS++, decode latency P99'),
    upTo('generated', 'infaas', genInf, 'request_mean', 'Generated traces vs INFaaS++, request latency mean'),
    upTo('generated', 'infaas', genInf, 'request_p99', 'Generated traces vs INFaaS++, request latency P99'),
    upTo('generated', 'infaas', genInf, 'prefill_mean', 'Generated traces vs INFaaS++, prefill latency mean'),
    upTo('generated', 'infaas', genInf, 'prefill_p99', 'Generated traces vs INFaaS++, prefill latency P99'),
    upTo('generated', 'infaas', genInf, 'decode_p99', 'Generated traces vs INFaaS++, decode latency P99'),
    { id: 'generated.infaas.preemption_loss.mean_reduction', text: 'Generated traces vs INFaaS++, preemption loss reduction, mean over points', unit: '%', ours: meanRelativeReduction(genInf, loss), points: keys(genInf) },
    { id: 'generated.infaas.preemption_loss.mean_abs_reduction', text: 'Generated traces vs INFaaS++, preemption loss saved per request, mean over points', unit: 's', ours: meanAbsoluteReduction(genInf, loss), points: keys(genInf) },
    { id: 'all.infaas.prefill_p99.win_share', text: 'Points (all traces) where Llumnix has a lower prefill P99 than INFaaS++', unit: '%', ours: allInf.length === 0 ? undefined : (wins / allInf.length) * 100, points: keys(allInf) },
  ];
  return withPaper(claims, FIG11_PAPER);
}
