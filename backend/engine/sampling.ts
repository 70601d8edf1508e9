// Picks the next token from one logits row: greedy (argmax, ties to the lowest id) or
// temperature + top-k + top-p with one uniform draw from the request's own stream. Every
// choice is a pure function of (logits, params, draw), so a request replays identically.
import { isGreedy } from './sampling-params.ts';
import { tokenLogprob, topIds } from './sampling-logprobs.ts';
import type { SamplingRng } from './sampling-rng.ts';
import type { SamplingParams, TokenLogprob } from './types.ts';

export interface SampledToken {
  readonly token_id: number;
  /** Present when params.logprobs is set: log_softmax of the raw logits (vLLM's default, before temperature/top-k/top-p). */
  readonly logprob?: TokenLogprob;
}

export class SamplingError extends Error {
  override readonly name = 'SamplingError';
}

function checkRow(row: Float32Array): number {
  let best = -1;
  for (let i = 0; i < row.length; i++) {
    const v = row[i]!;
    if (Number.isNaN(v) || v === Infinity) throw new SamplingError(`logits[${i}] = ${v}; expected a finite number or -Infinity (a NaN/Inf from the model must not be sampled)`);
    if (best < 0 ? v > -Infinity : v > row[best]!) best = i;
  }
  if (best < 0) throw new SamplingError(`every one of ${row.length} logits is -Infinity or the row is empty; nothing can be sampled`);
  return best;
}

/**
 * The candidates to sample from, each with an unnormalised weight exp((logit - max) / T), in
 * descending weight order (ties to the lower id) when top-k or top-p cut the set, else in id order.
 */
function candidates(row: Float32Array, argmax: number, p: SamplingParams): { ids: ArrayLike<number>; weights: Float64Array } {
  const invT = 1 / p.temperature;
  const max = row[argmax]!;
  const useTopK = p.top_k > 0 && p.top_k < row.length;
  if (!useTopK && p.top_p >= 1) {
    const weights = new Float64Array(row.length);
    for (let i = 0; i < row.length; i++) weights[i] = Math.exp((row[i]! - max) * invT);
    return { ids: { length: row.length }, weights };
  }
  let ids: number[];
  if (useTopK) {
    ids = topIds(row, p.top_k);
  } else {
    // Top-p over the whole vocabulary without sorting it: the nucleus is a prefix of the
    // tokens whose weight is above any threshold t whose set already holds top_p of the mass.
    let total = 0;
    const w = new Float64Array(row.length);
    for (let i = 0; i < row.length; i++) total += (w[i] = Math.exp((row[i]! - max) * invT));
    let t = 0.5;
    for (;;) {
      ids = [];
      let mass = 0;
      for (let i = 0; i < w.length; i++) if (w[i]! >= t) { ids.push(i); mass += w[i]!; }
      if (mass >= p.top_p * total || t === 0) break;
      t = t < 1e-300 ? 0 : t / 16;
    }
    ids.sort((a, b) => w[b]! - w[a]! || a - b);
  }
  let weights = Float64Array.from(ids, (i) => Math.exp((row[i]! - max) * invT));
  if (p.top_p < 1) {
    const total = weights.reduce((a, b) => a + b, 0);
    let cum = 0;
    let keep = 0;
    // Keep the smallest prefix holding top_p of the mass (at least one token).
    while (keep < weights.length && (keep === 0 || cum < p.top_p * total)) cum += weights[keep++]!;
    ids = ids.slice(0, keep);
    weights = weights.subarray(0, keep);
  }
  return { ids, weights };
}

/** Samples one token. Greedy requests draw nothing from `rng`; others draw exactly once. */
export function sampleToken(row: Float32Array, p: SamplingParams, rng: SamplingRng): SampledToken {
  const argmax = checkRow(row);
  let chosen = argmax;
  if (!isGreedy(p)) {
    const { ids, weights } = candidates(row, argmax, p);
    const total = weights.reduce((a, b) => a + b, 0);
    const target = rng.next() * total;
    const id = (k: number) => (Array.isArray(ids) ? (ids as number[])[k]! : k);
    chosen = id(weights.length - 1); // rounding can leave target just past the last sum
    let cum = 0;
    for (let k = 0; k < weights.length; k++) {
      cum += weights[k]!;
      if (target < cum) {
        chosen = id(k);
        break;
      }
    }
    // A zero-weight tail token can only be picked through rounding: fall back to the best.
    if (weights[Array.isArray(ids) ? (ids as number[]).indexOf(chosen) : chosen] === 0) chosen = argmax;
  }
  if (p.logprobs === undefined) return { token_id: chosen };
  return { token_id: chosen, logprob: tokenLogprob(row, chosen, p.logprobs) };
}
