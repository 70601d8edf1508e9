import type { SweepPoint } from '../../../sweep/index.ts';
import type { Mode } from '../figure.ts';
import { PRESET_LABELS, servingConfig } from '../serving-config.ts';

export const FIG14_REQUESTS: Readonly<Record<Mode, number>> = { mini: 300, quick: 10_000, full: 10_000 };
const RATES: Readonly<Record<Mode, readonly number[]>> = { mini: [2.0, 3.0], quick: [2.0, 2.2, 2.4, 2.6, 2.8, 3.0], full: [2.0, 2.2, 2.4, 2.6, 2.8, 3.0] };
const CVS: Readonly<Record<Mode, readonly number[]>> = { mini: [2], quick: [2, 3, 4, 5, 6], full: [2, 3, 4, 5, 6] };

/** Auto-scaling as the artifact ran it (§8.7): avg_load, 8 initial, 1–16, T_down = T_up + 50. */
export function scalingRun(system: 'infaas++' | 'llumnix', arrival: Parameters<typeof servingConfig>[0]['arrival'], scaleUp: number, requests: number) {
  return servingConfig({
    system,
    instances: 8,
    prompt_mean: 512,
    output_mean: 512,
    arrival,
    num_requests: requests,
    scaling: { kind: 'avg_load', scale_up_threshold: scaleUp, interval_s: 10, min_instances: 1, max_instances: 16 },
  });
}

/** Fig. 14: L-L; Poisson rates 2.0…3.0 and Gamma (2 req/s) CVs 2…6; T_up = 10. */
export function fig14Points(mode: Mode): SweepPoint[] {
  const points: SweepPoint[] = [];
  const add = (row: string, x: number, arrival: Parameters<typeof scalingRun>[1]) => {
    for (const system of ['infaas++', 'llumnix'] as const) {
      points.push({
        id: `fig14_${row}_${x}_${system}`,
        seed_group: `fig14_${row}_${x}`,
        labels: { row, x, system: PRESET_LABELS[system] },
        config: scalingRun(system, arrival, 10, FIG14_REQUESTS[mode]),
      });
    }
  };
  for (const rate of RATES[mode]) add('Poisson', rate, { kind: 'poisson', rate_per_s: rate });
  for (const cv of CVS[mode]) add('Gamma', cv, { kind: 'gamma', rate_per_s: 2, cv });
  return points;
}
