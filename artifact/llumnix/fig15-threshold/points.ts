import type { SweepPoint } from '../../../sweep/index.ts';
import type { Mode } from '../figure.ts';
import { scalingRun } from '../fig14-autoscaling/points.ts';
import { PRESET_LABELS } from '../serving-config.ts';

export const FIG15_REQUESTS: Readonly<Record<Mode, number>> = { mini: 300, quick: 10_000, full: 10_000 };
const THRESHOLDS: Readonly<Record<Mode, readonly number[]>> = { mini: [5, 85], quick: [5, 25, 45, 65, 85], full: [5, 25, 45, 65, 85] };

/** Fig. 15 (§8.7): L-L, Gamma 2 req/s with CV 2, scale-up threshold 5…85. */
export function fig15Points(mode: Mode): SweepPoint[] {
  return THRESHOLDS[mode].flatMap((threshold) =>
    (['infaas++', 'llumnix'] as const).map((system) => ({
      id: `fig15_t${threshold}_${system}`,
      // Every threshold serves the same requests: the workload does not depend on it.
      seed_group: 'fig15',
      labels: { threshold, system: PRESET_LABELS[system] },
      config: scalingRun(system, { kind: 'gamma', rate_per_s: 2, cv: 2 }, threshold, FIG15_REQUESTS[mode]),
    })),
  );
}
