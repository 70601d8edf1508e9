import type { SweepPoint } from '../../../sweep/index.ts';
import { fig11Config } from '../../llumnix-fig11/configs.ts';
import { FIG11_SYSTEMS, FIG11_TRACES, SYSTEM_LABELS } from '../../llumnix-fig11/setup.ts';
import type { Mode } from '../figure.ts';
import { idPart } from '../run-points.ts';

/** The paper plots the first 5 of the artifact's 7 rates per trace. */
const PLOTTED_RATES = 5;

/** Requests per point and which of each trace's artifact rates run, per mode. */
const MODES: Readonly<Record<Mode, { requests: number; rates: (all: readonly number[]) => readonly number[]; traces?: readonly string[] }>> = {
  // The paper plots the first 5 of the artifact's 7 rates; quick runs exactly those.
  // Fewer requests barely outlive the warm-up: queues never build and the systems look alike.
  quick: { requests: 10_000, rates: (all) => all.slice(0, PLOTTED_RATES) },
  full: { requests: 10_000, rates: (all) => all },
  mini: { requests: 200, rates: (all) => all.slice(0, 2), traces: ['ShareGPT', 'M-M'] },
};

/** Whether the paper plots this (trace, rate): the first 5 of the artifact's 7 rates. */
export function isPlottedRate(trace: string, rate: number): boolean {
  const t = FIG11_TRACES.find((x) => x.label === trace);
  return t !== undefined && t.rates_per_s.slice(0, PLOTTED_RATES).includes(rate);
}

/**
 * Fig. 11: every trace × rate × system (Round-Robin only on the real-data rows). Systems at
 * one (trace, rate) share a seed group, so they serve the same requests.
 */
export function fig11Points(mode: Mode): SweepPoint[] {
  const m = MODES[mode];
  const points: SweepPoint[] = [];
  for (const trace of FIG11_TRACES) {
    if (m.traces !== undefined && !m.traces.includes(trace.label)) continue;
    for (const rate of m.rates(trace.rates_per_s)) {
      for (const system of FIG11_SYSTEMS) {
        if (system === 'round-robin' && !trace.with_round_robin) continue;
        points.push({
          id: `fig11_${idPart(trace.label)}_${rate}_${idPart(system)}`,
          seed_group: `fig11_${trace.label}_${rate}`,
          labels: { trace: trace.label, rate, system: SYSTEM_LABELS[system] },
          config: fig11Config(trace, system, { rate_per_s: rate, num_requests: m.requests }),
        });
      }
    }
  }
  return points;
}
