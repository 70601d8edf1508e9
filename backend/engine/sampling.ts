// Picks the next token from one logits row: greedy (argmax, ties to the lowest id) or
// temperature + min-p + top-k + top-p with one uniform draw from the request's own stream.
// Every choice is a pure function of (logits, params, draw), so a request replays identically.
// The row is the one its logits processors made (logits-processors.ts), if any.
import { isGreedy } from './sampling-params.ts';
import { tokenLogprob, topIds } from './sampling-logprobs.ts';
import type { SamplingRng } from './sampling-rng.ts';
import type { SamplingParams, TokenLogprob } from './types.ts';

export interface SampledToken {
  readonly token_id: number;
  /** Present when params.logprobs is set: log_softmax of the raw logits (vLLM's default, before temperature/top-k/top-p). */
  readonly logprob?: TokenLogprob;
}

/**
 * Reusable vocabulary-sized buffers: allocating a fresh 1.2 MB array per token (Qwen2's 151,936
 * ids) costs more than the exp() pass itself. One per engine step loop; not shared across threads.
 */
export class SamplingScratch {
  #weights = new Float64Array(0);
  #pool = new Float64Array(0);

  /** A zeroed Float64Array of `n` entries (valid until the next call). */
  weights(n: number): Float64Array {
    if (this.#weights.length < n) this.#weights = new Float64Array(n);
    const w = this.#weights.subarray(0, n);
    w.fill(0);
    return w;
  }

  /** A second Float64Array of `n` entries, contents undefined. */
  pool(n: number): Float64Array {
    if (this.#pool.length < n) this.#pool = new Float64Array(n);
    return this.#pool.subarray(0, n);
  }
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

/** The candidates to sample from (ids in a fixed order) with unnormalised weights exp((logit - max) / T). */
interface Candidates {
  /** null: every id, in id order. */
  readonly ids: Int32Array | null;
  readonly weights: Float64Array;
}

/** Top-k, then top-p within it: ids by descending logit (ties to the lower id), the kept prefix. */
function topKCandidates(row: Float32Array, max: number, invT: number, p: SamplingParams): Candidates {
  const ids = Int32Array.from(topIds(row, p.top_k));
  const weights = new Float64Array(ids.length);
  const minP = p.min_p ?? 0;
  for (let k = 0; k < ids.length; k++) {
    const w = Math.exp((row[ids[k]!]! - max) * invT);
    // min_p (see candidates) before top-p, as vLLM; top-k keeps the best ids, as min_p does.
    weights[k] = w >= minP ? w : 0;
  }
  if (p.top_p >= 1) return { ids, weights };
  const total = weights.reduce((a, b) => a + b, 0);
  let cum = 0;
  let keep = 0;
  // The smallest prefix holding top_p of the mass (at least one token).
  while (keep < weights.length && (keep === 0 || cum < p.top_p * total)) cum += weights[keep++]!;
  return { ids: ids.subarray(0, keep), weights: weights.subarray(0, keep) };
}

/**
 * The smallest weight w* of the nucleus: the largest w such that the weights >= w hold `need`.
 * A weighted quickselect (three-way partitions, descending), O(n) expected, no sort.
 */
function nucleusThreshold(a: Float64Array, need: number): number {
  let lo = 0;
  let hi = a.length;
  for (;;) {
    if (hi - lo === 1) return a[lo]!;
    const x = a[lo]!, y = a[(lo + hi) >> 1]!, z = a[hi - 1]!;
    const pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z)); // median of three
    // Dutch-flag partition: [> pivot | == pivot | < pivot].
    let gt = lo, i = lo, lt = hi;
    let massGt = 0, massEq = 0;
    while (i < lt) {
      const v = a[i]!;
      if (v > pivot) { a[i] = a[gt]!; a[gt++] = v; massGt += v; i++; }
      else if (v < pivot) { a[i] = a[--lt]!; a[lt] = v; }
      else { massEq += v; i++; }
    }
    if (massGt >= need && gt > lo) hi = gt;
    else if (massGt + massEq >= need || lt === hi) return pivot;
    else { need -= massGt + massEq; lo = lt; }
  }
}

/**
 * Top-p over the whole vocabulary without sorting it: find the nucleus's smallest weight w*,
 * keep every id with a larger weight and, of those equal to w*, the lowest ids needed (the
 * order a stable descending sort would give). Tokens below e^-40 of the best are dropped
 * before the search (their mass cannot reach any top_p that matters). Kept ids stay in id order.
 */
function topPCandidates(row: Float32Array, max: number, invT: number, topP: number, minP: number, scratch: SamplingScratch): Candidates {
  const w = scratch.weights(row.length);
  let total = 0;
  let n = 0;
  for (let i = 0; i < row.length; i++) {
    const e = (row[i]! - max) * invT;
    if (e <= -40) continue;
    const v = Math.exp(e);
    if (v >= minP) { total += (w[i] = v); n++; }
  }
  const need = topP * total;
  const pool = scratch.pool(n);
  for (let i = 0, k = 0; i < w.length; i++) if (w[i]! > 0) pool[k++] = w[i]!;
  const wStar = nucleusThreshold(pool, need);
  let massAbove = 0;
  let above = 0;
  for (let i = 0; i < w.length; i++) if (w[i]! > wStar) { massAbove += w[i]!; above++; }
  let ties = Math.max(1, Math.ceil((need - massAbove) / wStar));
  const ids = new Int32Array(above + ties);
  const weights = new Float64Array(above + ties);
  let k = 0;
  for (let i = 0; i < w.length && k < ids.length; i++) {
    const v = w[i]!;
    if (v > wStar || (v === wStar && ties-- > 0)) { ids[k] = i; weights[k++] = v; }
  }
  return { ids: ids.subarray(0, k), weights: weights.subarray(0, k) };
}

function candidates(row: Float32Array, argmax: number, p: SamplingParams, scratch: SamplingScratch): Candidates {
  const invT = 1 / p.temperature;
  const max = row[argmax]!;
  if (p.top_k > 0 && p.top_k < row.length) return topKCandidates(row, max, invT, p);
  // vLLM's min_p, on probabilities after temperature: the best token's weight is 1, so a token
  // whose weight is below min_p is below min_p of the best one's probability.
  const minP = p.min_p ?? 0;
  if (p.top_p < 1) return topPCandidates(row, max, invT, p.top_p, minP, scratch);
  const weights = scratch.weights(row.length);
  for (let i = 0; i < row.length; i++) {
    const e = (row[i]! - max) * invT;
    if (e <= -40) continue; // below e^-40 of the best: weight 0, never drawn
    const v = Math.exp(e);
    if (v >= minP) weights[i] = v;
  }
  return { ids: null, weights };
}

/**
 * Samples one token from `row`. Greedy requests draw nothing from `rng`; others draw exactly
 * once. Logprobs are those of `raw` (the row before logits processors; default `row`).
 */
export function sampleToken(row: Float32Array, p: SamplingParams, rng: SamplingRng, scratch = new SamplingScratch(), raw = row): SampledToken {
  const argmax = checkRow(row);
  let chosen = argmax;
  if (!isGreedy(p)) {
    const { ids, weights } = candidates(row, argmax, p, scratch);
    let total = 0;
    for (let k = 0; k < weights.length; k++) total += weights[k]!;
    const target = rng.next() * total;
    let pick = weights.length - 1; // rounding can leave target just past the last sum
    let cum = 0;
    for (let k = 0; k < weights.length; k++) {
      cum += weights[k]!;
      if (target < cum) {
        pick = k;
        break;
      }
    }
    // A zero-weight token can only be reached through rounding: fall back to the best.
    chosen = weights[pick] === 0 ? argmax : ids === null ? pick : ids[pick]!;
  }
  if (p.logprobs === undefined) return { token_id: chosen };
  return { token_id: chosen, logprob: tokenLogprob(raw, chosen, p.logprobs) };
}
