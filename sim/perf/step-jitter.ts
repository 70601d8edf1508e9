import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { errorFunction } from 'simple-statistics';
import { ConfigError } from '../errors.ts';
import type { PerfModel } from './perf-model.ts';

/**
 * Measured step-time variance: every non-empty step's price is multiplied by a ratio drawn
 * (seeded) from a measured distribution of step time ÷ its batch shape's mean — a CSV
 * `phase,ratio` of quantiles per phase (`prefill`: steps with a prefill chunk; `decode`:
 * decode-only steps), written by the fidelity loop's calibration (docs/fidelity.md).
 * A deterministic table prices every step of a shape the same, so a simulated run has no tail;
 * on a real machine some steps wait (for a core, for memory), and latency percentiles are made
 * of them. The ratios' mean is 1, so the mean step time is kept. `prefill_ms` / `decode_ms`
 * (used for preemption-cost metrics) stay deterministic.
 */
export interface JitterRatios {
  readonly prefill: readonly number[];
  readonly decode: readonly number[];
}

export function readJitterRatios(csvPath: string): JitterRatios {
  let rows: Record<string, string>[];
  try {
    rows = parse(readFileSync(csvPath, 'utf8'), { columns: true, skip_empty_lines: true, trim: true });
  } catch (cause) {
    throw ConfigError.single('perf.jitter', 'a readable CSV file with a header `phase,ratio`', csvPath, { cause });
  }
  const out = { prefill: [] as number[], decode: [] as number[] };
  rows.forEach((row, i) => {
    const value = Number(row['ratio']);
    if (row['ratio'] === undefined || !Number.isFinite(value) || value <= 0) {
      throw ConfigError.single('ratio', 'a finite number > 0 (a step time ÷ its shape mean)', row['ratio'], { source: `${csvPath}:${i + 2}` });
    }
    const phase = row['phase'];
    if (phase !== 'prefill' && phase !== 'decode') throw ConfigError.single('phase', "'prefill' or 'decode'", phase, { source: `${csvPath}:${i + 2}` });
    out[phase].push(value);
  });
  if (out.prefill.length === 0 || out.decode.length === 0) throw ConfigError.single('perf.jitter', 'ratio rows for both phases, prefill and decode', csvPath);
  return { prefill: out.prefill.sort((a, b) => a - b), decode: out.decode.sort((a, b) => a - b) };
}

/**
 * Memory of the draws (perf.jitter_memory): a step's draw, in normal scores, is a share `share`
 * of a machine state that keeps `per_step` of itself from one priced step (on any instance) to
 * the next, plus fresh noise: slow steps come in spells, as on a shared machine, and the
 * marginal distribution of the ratios is unchanged (correlation at lag k: share × per_step^k).
 */
export interface JitterMemory {
  readonly share: number;
  readonly per_step: number;
}

export function withStepJitter(base: PerfModel, ratios: JitterRatios, rng: () => number, memory?: JitterMemory): PerfModel {
  const uniform = memory === undefined ? rng : rememberedUniform(rng, memory);
  return {
    ...base,
    name: `${base.name}+jitter`,
    step_ms(batch) {
      const ms = base.step_ms(batch);
      if (ms === 0) return 0;
      const pool = batch.prefills.length > 0 ? ratios.prefill : ratios.decode;
      return ms * (pool[Math.min(pool.length - 1, Math.floor(uniform() * pool.length))] as number);
    },
  };
}

/** A standard normal draw (Box–Muller; 1 − u keeps the logarithm finite). */
function normal(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** Uniform draws in [0, 1) that remember: the normal-score model of JitterMemory, mapped back through Φ. */
function rememberedUniform(rng: () => number, memory: JitterMemory): () => number {
  const { share, per_step } = memory;
  const fresh = Math.sqrt(1 - per_step * per_step);
  let state: number | undefined;
  return () => {
    // The state starts in its stationary distribution, N(0, 1), and stays in it.
    state = state === undefined ? normal(rng) : per_step * state + fresh * normal(rng);
    const z = Math.sqrt(share) * state + Math.sqrt(1 - share) * normal(rng);
    return Math.max(0, 0.5 * (1 + errorFunction(z / Math.SQRT2)));
  };
}
