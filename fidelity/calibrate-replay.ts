// Calibration in place: replay a calibration trace (the same distribution, another seed) on the
// real fleet and build the simulator's step table from the steps the fleet actually ran, with
// the dispatch and delivery latency its requests actually saw. The table then holds step times
// at the concurrency, batch shapes and machine load the fleet serves under, which neither a grid
// on one idle engine (too fast) nor a grid with every engine saturated (too slow) gives. The
// test trace is never used for calibration.
import { quantileSorted } from 'simple-statistics';
import type { ProfileRow } from '../backend/profile/profile-grid.ts';
import { spread } from '../backend/profile/profile-grid.ts';
import type { Replay, ReplayStep } from './real-run.ts';
import { isotonic } from '../backend/profile/isotonic.ts';
import type { JitterMemory } from '../sim/perf/step-jitter.ts';
import { fitJitterMemory, normalScores } from './jitter-memory.ts';
import { othersSteppingAtStart } from './step-overlap.ts';

/**
 * cluster.contention as fitted: step_factors[k] multiplies the table's price of a step that
 * starts while k other instances are mid-step (the table holds the price at level 0);
 * steps_per_level[k] is how many binned steps the fit saw at level k.
 */
export interface FittedContention {
  readonly step_factors: readonly number[];
  readonly steps_per_level: readonly number[];
}

export interface ReplayCalibration {
  readonly rows: ProfileRow[];
  readonly frontend: { readonly dispatch_ms: number; readonly delivery_ms: number };
  readonly steps: { readonly prefill: number; readonly decode: number; readonly mixed_ignored: number; readonly excluded: number };
  /** Per phase, JITTER_ATOMS equally likely ratios of step time ÷ its bin's mean (mean 1): the variance the table's means leave out. */
  readonly jitter_ratios: { readonly prefill: number[]; readonly decode: number[] };
  /** How the ratios persist from step to step (perf.jitter_memory, fidelity/jitter-memory.ts). */
  readonly jitter_memory: JitterMemory;
  readonly contention: FittedContention;
}

/** Splits `items` (sorted by key) into at most `bins` groups of about equal size, at least `min` each. */
function bins<T>(items: readonly T[], key: (t: T) => number, bins: number, min: number): T[][] {
  const sorted = [...items].sort((a, b) => key(a) - key(b));
  const n = Math.max(1, Math.min(bins, Math.floor(sorted.length / min)));
  const out: T[][] = [];
  for (let i = 0; i < n; i++) out.push(sorted.slice(Math.floor((i * sorted.length) / n), Math.floor(((i + 1) * sorted.length) / n)));
  return out.filter((b) => b.length > 0);
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * A bin's row: the MEAN step time, not the median. Step times under a shared machine are skewed
 * to the right (a step that waited for a core), and a simulated run's time is a sum of steps:
 * the median per bin made every calibrated run 15–30 % too fast.
 */
function row(phase: 'prefill' | 'decode', batch: number, group: readonly ReplayStep[], tokens: (s: ReplayStep) => number, time: (s: ReplayStep) => number): ProfileRow {
  const ms = spread(group.map(time));
  return { phase, batch_size: batch, tokens: Math.round(spread(group.map(tokens)).median), latency_ms: mean(group.map(time)), p10_ms: ms.p10, p90_ms: ms.p90, samples: group.length };
}

/** Rows whose token keys are distinct and increasing (the table interpolates between them). */
function distinctTokens(rows: ProfileRow[]): ProfileRow[] {
  const out: ProfileRow[] = [];
  for (const r of rows) if (out.length === 0 || r.tokens > (out[out.length - 1] as ProfileRow).tokens) out.push(r);
  return out;
}

/**
 * How many equally likely ratios a phase's jitter is written as. The simulator draws one of them
 * uniformly (sim/perf/step-jitter.ts), so each must stand for 1/N of the mass: the quantiles at
 * the middles (i + ½)/N. Quantiles 0 %, 1 %, …, 100 % drawn that way gave the single slowest
 * calibration step (35× its bin's mean, one step in 13,000) a 1 % chance per simulated step,
 * which set every policy's simulated ITL P99 and, through the mean-1 rescaling, priced the bulk
 * of the steps ~25 % too fast.
 */
export const JITTER_ATOMS = 1000;

/** JITTER_ATOMS mid-quantiles of `values`, rescaled so their mean is exactly 1. */
function quantiles(values: readonly number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const qs = Array.from({ length: JITTER_ATOMS }, (_, i) => quantileSorted(sorted, (i + 0.5) / JITTER_ATOMS));
  const m = mean(qs);
  return qs.map((q) => q / m);
}

/**
 * One factor per contention level (other instances mid-step when a step starts), fitted
 * together with the bins' alone-prices: each bin's price is the mean of its steps' times ÷ their
 * level's factor, and each level's factor is Σ measured ÷ Σ bin price over its steps; a few
 * rounds of each settle (the fit is a product of two terms, so it is normalised to the lowest
 * level seen). Factors never fall as contention grows (weighted isotonic over levels); a level
 * never seen takes the factor below it. Without another instance (one instance, or steps that
 * never overlap) every factor is 1 and the table is the plain mean per bin, as before.
 */
function fitContention(groups: readonly (readonly ReplayStep[])[], level: (s: ReplayStep) => number): { factors: number[]; counts: number[] } {
  let top = 0;
  for (const g of groups) for (const s of g) top = Math.max(top, level(s));
  const counts = new Array<number>(top + 1).fill(0);
  for (const g of groups) for (const s of g) counts[level(s)]!++;
  let factors = new Array<number>(top + 1).fill(1);
  for (let round = 0; round < 50; round++) {
    const measured = new Array<number>(top + 1).fill(0);
    const priced = new Array<number>(top + 1).fill(0);
    for (const g of groups) {
      const price = mean(g.map((s) => s.step_ms / factors[level(s)]!));
      for (const s of g) {
        measured[level(s)]! += s.step_ms;
        priced[level(s)]! += price;
      }
    }
    const seen = counts.flatMap((c, k) => (c > 0 && priced[k]! > 0 ? [k] : []));
    if (seen.length === 0) break;
    const fitted = isotonic(seen.map((k) => measured[k]! / priced[k]!), seen.map((k) => counts[k]!));
    const base = fitted[0]!;
    const next = new Array<number>(top + 1).fill(1);
    for (let k = 0, j = -1; k <= top; k++) {
      if (seen[j + 1] === k) j++;
      next[k] = j < 0 ? 1 : fitted[j]! / base;
    }
    const moved = next.some((f, k) => Math.abs(f - factors[k]!) > 1e-9);
    factors = next;
    if (!moved) break;
  }
  return { factors, counts };
}

/**
 * `exclude`: steps left out of the table, the jitter and the contention fit (the calibration's
 * forced migrations: their KV copies share the cores, a cost the migration's own terms carry);
 * they still count as other instances mid-step for the steps around them.
 */
export function calibrateFromReplay(replay: Replay, options: { readonly exclude?: (step: ReplayStep) => boolean } = {}): ReplayCalibration {
  const exclude = options.exclude ?? ((): boolean => false);
  const kept = replay.steps.filter((s) => !exclude(s));
  const prefill = kept.filter((s) => s.prefill_seqs > 0 && s.decode_seqs === 0);
  const decode = kept.filter((s) => s.prefill_seqs === 0 && s.decode_seqs > 0);
  if (prefill.length === 0 || decode.length === 0) {
    throw new Error(`calibration replay ran ${prefill.length} prefill-only and ${decode.length} decode-only steps; the table needs both (use a longer calibration trace)`);
  }
  const others = othersSteppingAtStart(replay.steps);
  const levelOf = new Map<ReplayStep, number>(replay.steps.map((s, i) => [s, others[i]!]));
  const level = (s: ReplayStep): number => levelOf.get(s) ?? 0;

  // The bins: prefill-only steps by tokens; decode-only steps by batch size, then context.
  const prefillBins = bins(prefill, (s) => s.prefill_tokens, 12, 3);
  const byBatch = new Map<number, ReplayStep[]>();
  for (const s of decode) byBatch.set(s.decode_seqs, [...(byBatch.get(s.decode_seqs) ?? []), s]);
  // Batch sizes seen only a few times would make the table jump; the neighbours interpolate them.
  const decodeBins = [...byBatch.entries()].sort((a, b) => a[0] - b[0]).filter(([, steps]) => steps.length >= 3).map(([batch, steps]) => ({ batch, steps, bins: bins(steps, (s) => s.decode_context_tokens, 4, 5) }));

  const { factors, counts } = fitContention([...prefillBins, ...decodeBins.flatMap((d) => d.bins)], level);
  // The table holds each step's time as if no other instance had been stepping.
  const alone = (s: ReplayStep): number => s.step_ms / factors[level(s)]!;

  const ratios = { prefill: [] as number[], decode: [] as number[] };
  /** Per phase, the steps whose ratios are in `ratios`, in the same order. */
  const ratioSteps = { prefill: [] as ReplayStep[], decode: [] as ReplayStep[] };
  const binned = (phase: 'prefill' | 'decode', group: readonly ReplayStep[]): readonly ReplayStep[] => {
    const m = mean(group.map(alone));
    for (const s of group) {
      ratios[phase].push(alone(s) / m);
      ratioSteps[phase].push(s);
    }
    return group;
  };
  const rows = distinctTokens(prefillBins.map((g) => row('prefill', 1, binned('prefill', g), (s) => s.prefill_tokens, alone)));
  // A decode step never gets cheaper as its batch grows, but the means of rarely seen batch
  // sizes are noisy: a larger batch measured faster than a smaller one made the table's batch
  // axis slope down, and its linear extension beyond the largest batch priced steps below zero.
  // Each batch size's level (its steps' mean) follows the isotonic fit over batch sizes
  // (weighted by steps), its rows scaled to it. (A floor at the slowest row below let one slow
  // bin, e.g. the first steps of a cold process, set the price of every larger batch: 2–3× too
  // slow on the imbalance scenario.)
  const series = decodeBins.map((d) => distinctTokens(d.bins.map((g) => row('decode', d.batch, binned('decode', g), (s) => s.decode_context_tokens, alone))));
  const measured = decodeBins.map((d) => mean(d.steps.map(alone)));
  const fitted = isotonic(measured, decodeBins.map((d) => d.steps.length));
  for (const [i, rowsOfBatch] of series.entries()) {
    const scale = measured[i]! > 0 ? fitted[i]! / measured[i]! : 1;
    rows.push(...rowsOfBatch.map((r) => ({ ...r, latency_ms: r.latency_ms * scale })));
  }
  if (!rows.some((r) => r.phase === 'decode')) rows.push(...distinctTokens([row('decode', 1, decode, (s) => s.decode_context_tokens, alone)]));
  // Each phase's ratios as normal scores (each phase its own marginal), in the order the steps started.
  const scored = (['prefill', 'decode'] as const).flatMap((phase) => {
    const z = normalScores(ratios[phase]);
    return ratioSteps[phase].map((step, i) => ({ start: step.started_unix_ms, z: z[i]! }));
  });
  scored.sort((a, b) => a.start - b.start);
  // Means too: the simulator adds these to every request and token.
  const average = (xs: readonly number[]): number => (xs.length === 0 ? 0 : Math.max(0, mean(xs)));
  return {
    rows,
    frontend: { dispatch_ms: average(replay.requests.map((r) => r.dispatch_s * 1e3)), delivery_ms: average(replay.requests.map((r) => r.delivery_s * 1e3)) },
    steps: { prefill: prefill.length, decode: decode.length, mixed_ignored: kept.length - prefill.length - decode.length, excluded: replay.steps.length - kept.length },
    jitter_ratios: { prefill: quantiles(ratios.prefill), decode: quantiles(ratios.decode) },
    jitter_memory: fitJitterMemory(scored.map((x) => x.z)),
    contention: { step_factors: factors, steps_per_level: counts },
  };
}
