// The trace both worlds replay: arrival times and token lengths, written once as a Vidur CSV
// (arrived_at, num_prefill_tokens, num_decode_tokens) that the simulator reads as it is and the
// load generator sends to the real fleet.
import seedrandom from 'seedrandom';
import { sampleGamma } from '../traces/sampling.ts';

export interface TraceRow {
  readonly arrival_s: number;
  readonly prompt_tokens: number;
  readonly output_tokens: number;
}

export interface SyntheticTrace {
  readonly requests: number;
  readonly rate_per_s: number;
  readonly prompt_tokens: readonly [number, number];
  readonly output_tokens: readonly [number, number];
  readonly seed: number;
  /**
   * Gamma shape of the gaps between arrivals (vLLM's --burstiness): 1 or absent is Poisson,
   * below 1 burstier (requests come in clumps), the mean rate unchanged.
   */
  readonly burstiness?: number;
  /**
   * Every `every`-th request (index 0, every, 2·every, …) draws its lengths from these ranges
   * instead: a mix of long and short requests whose period matches the fleet's size is the
   * pattern round-robin dispatch cannot see (it sends every long request to the same instance),
   * while load-aware dispatch balances it.
   */
  readonly long?: { readonly every: number; readonly prompt_tokens: readonly [number, number]; readonly output_tokens: readonly [number, number] };
}

/** Poisson (or Gamma) arrivals, lengths uniform in the given inclusive ranges; one seed drives it all. */
export function syntheticTrace(t: SyntheticTrace): TraceRow[] {
  const shape = t.burstiness ?? 1;
  if (!(Number.isFinite(shape) && shape > 0)) throw new Error(`fidelity trace: burstiness must be a finite number > 0 (a Gamma shape; 1 = Poisson), received ${shape}`);
  if (t.long !== undefined && !(Number.isInteger(t.long.every) && t.long.every >= 1)) throw new Error(`fidelity trace: long.every must be an integer >= 1 (every how many requests one is long), received ${t.long.every}`);
  const rng = seedrandom.alea(`fidelity-trace:${t.seed}`);
  // Poisson keeps its own draw (one uniform per gap), so earlier traces are unchanged.
  const gap = shape === 1 ? (): number => -Math.log(1 - rng()) / t.rate_per_s : (): number => sampleGamma(rng, shape) / (t.rate_per_s * shape);
  const uniform = ([lo, hi]: readonly [number, number]): number => lo + Math.floor(rng() * (hi - lo + 1));
  const rows: TraceRow[] = [];
  let now = 0;
  for (let i = 0; i < t.requests; i++) {
    const lengths = t.long !== undefined && i % t.long.every === 0 ? t.long : t;
    rows.push({ arrival_s: Number(now.toFixed(6)), prompt_tokens: uniform(lengths.prompt_tokens), output_tokens: uniform(lengths.output_tokens) });
    now += gap();
  }
  return rows;
}

export function traceCsv(rows: readonly TraceRow[]): string {
  return `arrived_at,num_prefill_tokens,num_decode_tokens\n${rows.map((r) => `${r.arrival_s},${r.prompt_tokens},${r.output_tokens}`).join('\n')}\n`;
}

/** Token ids of a prompt of `length` tokens (seeded; below `vocab`). */
export function promptIds(length: number, index: number, seed: number, vocab: number): number[] {
  const rng = seedrandom.alea(`fidelity-prompt:${seed}:${index}`);
  return Array.from({ length }, () => Math.floor(rng() * Math.min(vocab, 4096)));
}

/** The warm-up trace's seed is the measured trace's plus this (the calibration's is + 1000). */
export const WARMUP_SEED_OFFSET = 2000;

/**
 * The warm-up trace: the measured trace's distribution on another seed, `requests` long
 * (default: as long as the measured trace; 0: no warm-up).
 */
export function warmupTrace(trace: SyntheticTrace, requests = trace.requests): TraceRow[] {
  if (!Number.isInteger(requests) || requests < 0) throw new Error(`fidelity: warmup_requests must be an integer >= 0 (requests replayed, unmeasured, on every fresh fleet), received ${requests}`);
  return requests === 0 ? [] : syntheticTrace({ ...trace, requests, seed: trace.seed + WARMUP_SEED_OFFSET });
}
