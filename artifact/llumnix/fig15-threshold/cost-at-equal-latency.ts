/** One point of a cost–latency curve. */
export interface CostPoint {
  readonly instances: number;
  readonly p99_prefill_s: number;
}

/** Instances at a latency level, by linear interpolation along the curve sorted by latency. */
function instancesAt(curve: readonly CostPoint[], level: number): number | undefined {
  const sorted = [...curve].sort((a, b) => a.p99_prefill_s - b.p99_prefill_s);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (level >= a.p99_prefill_s && level <= b.p99_prefill_s) {
      const t = b.p99_prefill_s === a.p99_prefill_s ? 0 : (level - a.p99_prefill_s) / (b.p99_prefill_s - a.p99_prefill_s);
      return a.instances + t * (b.instances - a.instances);
    }
  }
  return undefined;
}

/**
 * Fig. 15's "cost saving at similar tail latency" (the paper's derivation is not in the
 * artifact; this is ours): over P99 prefill levels both curves span (64 levels), the largest
 * base instances / Llumnix instances − 1, in %. Undefined when the curves do not overlap.
 */
export function costSavingAtEqualLatency(base: readonly CostPoint[], ours: readonly CostPoint[]): number | undefined {
  const lo = Math.max(Math.min(...base.map((p) => p.p99_prefill_s)), Math.min(...ours.map((p) => p.p99_prefill_s)));
  const hi = Math.min(Math.max(...base.map((p) => p.p99_prefill_s)), Math.max(...ours.map((p) => p.p99_prefill_s)));
  if (!(hi >= lo) || base.length < 2 || ours.length < 2) return undefined;
  let best: number | undefined;
  for (let i = 0; i <= 64; i++) {
    const level = lo + ((hi - lo) * i) / 64;
    const b = instancesAt(base, level);
    const o = instancesAt(ours, level);
    if (b !== undefined && o !== undefined && o > 0) best = Math.max(best ?? -Infinity, (b / o - 1) * 100);
  }
  return best;
}
