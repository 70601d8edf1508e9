import type { LengthConfigInput } from '../../traces/index.ts';

/**
 * Llumnix Fig. 11 (serving performance), as the OSDI'24 artifact ran it (llumnix.md §8.5):
 * 16 LLaMA-7B instances on A10s, 10,000 requests, Poisson arrivals, max_num_batched_tokens
 * 12800, migration threshold T per trace. Rates are the artifact's; the paper plots the first 5.
 */
export interface Fig11Trace {
  /** The paper's row label. */
  readonly label: string;
  readonly prompt: LengthConfigInput;
  readonly output: LengthConfigInput;
  readonly rates_per_s: readonly number[];
  /** Rate of the single-run preset (inside the paper's plotted range). */
  readonly default_rate_per_s: number;
  /** Llumnix's migrate threshold T (freeness, blocks per request). */
  readonly migrate_threshold: number;
  /** Whether the paper compares Round-Robin on this trace (the real-data rows only). */
  readonly with_round_robin: boolean;
}

const zipf = (mean_tokens: number): LengthConfigInput => ({ kind: 'zipf', mean_tokens, range_tokens: 6144 });
const range = (from: number, to: number, step: number): number[] => {
  const out: number[] = [];
  for (let i = 0; from + i * step <= to + 1e-9; i++) out.push(Math.round((from + i * step) * 1000) / 1000);
  return out;
};

export const FIG11_TRACES: readonly Fig11Trace[] = [
  {
    // ShareGPT-like: lengths matched to the quantiles of Llumnix's Table 1 (no conversation text ships).
    label: 'ShareGPT',
    default_rate_per_s: 7.5,
    prompt: { kind: 'quantile_preset', name: 'sharegpt_prompt' },
    output: { kind: 'quantile_preset', name: 'sharegpt_output' },
    rates_per_s: range(7.0, 8.0, 0.25),
    migrate_threshold: 3,
    with_round_robin: true,
  },
  {
    label: 'BurstGPT',
    default_rate_per_s: 8,
    prompt: { kind: 'quantile_preset', name: 'burstgpt_prompt' },
    output: { kind: 'quantile_preset', name: 'burstgpt_output' },
    rates_per_s: range(7.5, 8.5, 0.25),
    migrate_threshold: 3,
    with_round_robin: true,
  },
  { label: 'S-S', default_rate_per_s: 34, prompt: zipf(128), output: zipf(128), rates_per_s: range(32, 38, 1), migrate_threshold: 3, with_round_robin: false },
  { label: 'M-M', default_rate_per_s: 7.5, prompt: zipf(256), output: zipf(256), rates_per_s: range(7.4, 8.0, 0.1), migrate_threshold: 10, with_round_robin: false },
  { label: 'L-L', default_rate_per_s: 2.8, prompt: zipf(512), output: zipf(512), rates_per_s: range(2.6, 3.2, 0.1), migrate_threshold: 3, with_round_robin: false },
  { label: 'S-L', default_rate_per_s: 4.2, prompt: zipf(128), output: zipf(512), rates_per_s: range(4.1, 4.4, 0.05), migrate_threshold: 10, with_round_robin: false },
  { label: 'L-S', default_rate_per_s: 14, prompt: zipf(512), output: zipf(128), rates_per_s: range(10, 22, 2), migrate_threshold: 3, with_round_robin: false },
];

export const FIG11_SYSTEMS = ['round-robin', 'infaas++', 'llumnix'] as const;
export type Fig11System = (typeof FIG11_SYSTEMS)[number];

export const SYSTEM_LABELS: Readonly<Record<Fig11System, string>> = {
  'round-robin': 'Round-Robin',
  'infaas++': 'INFaaS++',
  llumnix: 'Llumnix',
};
