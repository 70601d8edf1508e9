import type { SweepPoint } from '../../../sweep/index.ts';
import type { Mode } from '../figure.ts';
import { PRESET_LABELS, servingConfig } from '../serving-config.ts';

export const FIG13_REQUESTS: Readonly<Record<Mode, number>> = { mini: 300, quick: 10_000, full: 10_000 };
export const FIG13_CVS: Readonly<Record<Mode, readonly number[]>> = { mini: [2, 8], quick: [2, 4, 6, 8], full: [2, 4, 6, 8] };

/**
 * Fig. 13 (reference §8.6): S-S at 26 req/s, Gamma arrivals with CV 2…8, 10 % high priority,
 * 16 instances. Llumnix (headroom, priority dispatch, high priority first in the local queue,
 * the paper's intent) against Llumnix-base (the same 10 % tagged, treated as normal).
 */
export function fig13Points(mode: Mode): SweepPoint[] {
  return FIG13_CVS[mode].flatMap((cv) =>
    (['llumnix', 'llumnix-base'] as const).map((system) => ({
      id: `fig13_cv${cv}_${system}`,
      seed_group: `fig13_cv${cv}`,
      labels: { cv, system: PRESET_LABELS[system] },
      config: servingConfig({
        system,
        instances: 16,
        prompt_mean: 128,
        output_mean: 128,
        arrival: { kind: 'gamma', rate_per_s: 26, cv },
        num_requests: FIG13_REQUESTS[mode],
        high_ratio: 0.1,
        high_priority_first: system === 'llumnix',
      }),
    })),
  );
}
