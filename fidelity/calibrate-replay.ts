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

export interface ReplayCalibration {
  readonly rows: ProfileRow[];
  readonly frontend: { readonly dispatch_ms: number; readonly delivery_ms: number };
  readonly steps: { readonly prefill: number; readonly decode: number; readonly mixed_ignored: number };
  /** Per phase, 101 quantiles (0 %, 1 %, …, 100 %) of step time ÷ its bin's mean: the variance the table's means leave out. */
  readonly jitter_ratios: { readonly prefill: number[]; readonly decode: number[] };
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
function row(phase: 'prefill' | 'decode', batch: number, group: readonly ReplayStep[], tokens: (s: ReplayStep) => number): ProfileRow {
  const ms = spread(group.map((s) => s.step_ms));
  return { phase, batch_size: batch, tokens: Math.round(spread(group.map(tokens)).median), latency_ms: mean(group.map((s) => s.step_ms)), p10_ms: ms.p10, p90_ms: ms.p90, samples: group.length };
}

/** Rows whose token keys are distinct and increasing (the table interpolates between them). */
function distinctTokens(rows: ProfileRow[]): ProfileRow[] {
  const out: ProfileRow[] = [];
  for (const r of rows) if (out.length === 0 || r.tokens > (out[out.length - 1] as ProfileRow).tokens) out.push(r);
  return out;
}

/** 101 quantiles of `values`, rescaled so their mean is exactly 1. */
function quantiles(values: readonly number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const qs = Array.from({ length: 101 }, (_, i) => quantileSorted(sorted, i / 100));
  const m = mean(qs);
  return qs.map((q) => q / m);
}

export function calibrateFromReplay(replay: Replay): ReplayCalibration {
  const prefill = replay.steps.filter((s) => s.prefill_seqs > 0 && s.decode_seqs === 0);
  const decode = replay.steps.filter((s) => s.prefill_seqs === 0 && s.decode_seqs > 0);
  if (prefill.length === 0 || decode.length === 0) {
    throw new Error(`calibration replay ran ${prefill.length} prefill-only and ${decode.length} decode-only steps; the table needs both (use a longer calibration trace)`);
  }
  const ratios = { prefill: [] as number[], decode: [] as number[] };
  const binned = (phase: 'prefill' | 'decode', group: readonly ReplayStep[]): readonly ReplayStep[] => {
    const m = mean(group.map((s) => s.step_ms));
    for (const s of group) ratios[phase].push(s.step_ms / m);
    return group;
  };
  const rows = distinctTokens(bins(prefill, (s) => s.prefill_tokens, 12, 3).map((g) => row('prefill', 1, binned('prefill', g), (s) => s.prefill_tokens)));
  const byBatch = new Map<number, ReplayStep[]>();
  for (const s of decode) byBatch.set(s.decode_seqs, [...(byBatch.get(s.decode_seqs) ?? []), s]);
  // A decode step never gets cheaper as its batch grows, but the means of rarely seen batch
  // sizes are noisy: a larger batch measured faster than a smaller one made the table's batch
  // axis slope down, and its linear extension beyond the largest batch priced steps below zero.
  // Each batch size's level (its steps' mean) follows the isotonic fit over batch sizes
  // (weighted by steps), its rows scaled to it. (A floor at the slowest row below let one slow
  // bin, e.g. the first steps of a cold process, set the price of every larger batch: 2–3× too
  // slow on the imbalance scenario.)
  const levels: { steps: ReplayStep[]; series: ProfileRow[] }[] = [];
  for (const [batch, steps] of [...byBatch.entries()].sort((a, b) => a[0] - b[0])) {
    // Batch sizes seen only a few times would make the table jump; the neighbours interpolate them.
    if (steps.length < 3) continue;
    levels.push({ steps, series: distinctTokens(bins(steps, (s) => s.decode_context_tokens, 4, 5).map((g) => row('decode', batch, binned('decode', g), (s) => s.decode_context_tokens))) });
  }
  const measured = levels.map((l) => mean(l.steps.map((s) => s.step_ms)));
  const fitted = isotonic(measured, levels.map((l) => l.steps.length));
  for (const [i, l] of levels.entries()) {
    const scale = measured[i]! > 0 ? fitted[i]! / measured[i]! : 1;
    rows.push(...l.series.map((r) => ({ ...r, latency_ms: r.latency_ms * scale })));
  }
  if (!rows.some((r) => r.phase === 'decode')) rows.push(...distinctTokens([row('decode', 1, decode, (s) => s.decode_context_tokens)]));
  // Means too: the simulator adds these to every request and token.
  const average = (xs: readonly number[]): number => (xs.length === 0 ? 0 : Math.max(0, mean(xs)));
  return {
    rows,
    frontend: { dispatch_ms: average(replay.requests.map((r) => r.dispatch_s * 1e3)), delivery_ms: average(replay.requests.map((r) => r.delivery_s * 1e3)) },
    steps: { prefill: prefill.length, decode: decode.length, mixed_ignored: replay.steps.length - prefill.length - decode.length },
    jitter_ratios: { prefill: quantiles(ratios.prefill), decode: quantiles(ratios.decode) },
  };
}
