// Log-probabilities of a logits row: log_softmax computed stably (max subtracted, sums in
// float64), the chosen token's value and the top N, ties broken towards the lower id.
import type { TokenLogprob } from './types.ts';

/** log(sum(exp(x))) over a row, stable for large and -Infinity entries. */
export function logSumExp(row: Float32Array): number {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) if (row[i]! > max) max = row[i]!;
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += Math.exp(row[i]! - max);
  return max + Math.log(sum);
}

/** The `n` largest entries' ids, largest first, ties to the lower id. */
export function topIds(row: Float32Array, n: number): number[] {
  const k = Math.min(n, row.length);
  if (k <= 0) return [];
  // A sorted window of the k best: most entries fail the first comparison with its minimum.
  const ids: number[] = [];
  for (let i = 0; i < row.length; i++) {
    const v = row[i]!;
    if (ids.length === k && !(v > row[ids[k - 1]!]!)) continue; // equal value, higher id: loses the tie
    let at = ids.length === k ? k - 1 : ids.length;
    while (at > 0 && v > row[ids[at - 1]!]!) at--;
    if (ids.length === k) ids.pop();
    ids.splice(at, 0, i);
  }
  return ids;
}

/** The chosen token's logprob and, when `top > 0`, the `top` most likely tokens'. */
export function tokenLogprob(row: Float32Array, chosen: number, top: number): TokenLogprob {
  const lse = logSumExp(row);
  const chosenLogprob = row[chosen]! - lse;
  if (top <= 0) return { token_id: chosen, logprob: chosenLogprob };
  return {
    token_id: chosen,
    logprob: chosenLogprob,
    top: topIds(row, top).map((id) => ({ token_id: id, logprob: row[id]! - lse })),
  };
}
