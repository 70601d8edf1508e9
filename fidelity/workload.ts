// The trace both worlds replay: arrival times and token lengths, written once as a Vidur CSV
// (arrived_at, num_prefill_tokens, num_decode_tokens) that the simulator reads as it is and the
// load generator sends to the real fleet.
import seedrandom from 'seedrandom';

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
}

/** Poisson arrivals, lengths uniform in the given inclusive ranges; one seed drives it all. */
export function syntheticTrace(t: SyntheticTrace): TraceRow[] {
  const rng = seedrandom.alea(`fidelity-trace:${t.seed}`);
  const uniform = ([lo, hi]: readonly [number, number]): number => lo + Math.floor(rng() * (hi - lo + 1));
  const rows: TraceRow[] = [];
  let now = 0;
  for (let i = 0; i < t.requests; i++) {
    rows.push({ arrival_s: Number(now.toFixed(6)), prompt_tokens: uniform(t.prompt_tokens), output_tokens: uniform(t.output_tokens) });
    now += -Math.log(1 - rng()) / t.rate_per_s;
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
