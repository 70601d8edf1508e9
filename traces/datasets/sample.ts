import { TraceError } from '../errors.ts';
import type { LoadedTrace } from '../loaders/source.ts';
import type { Rng } from '../request.ts';

/** One request of a dataset: its lengths and, for shared prefixes, its prefix identity. */
export interface DatasetRequest {
  readonly prompt_tokens: number;
  readonly output_tokens: number;
  /** One id per `hash_block_tokens` prompt tokens; equal ids = equal prefix (prefix caching). */
  readonly hash_ids?: readonly number[];
  readonly hash_block_tokens?: number;
}

/** What a dataset sample did beyond the trace loader's own counts (summary.json `trace`). */
export interface DatasetCounts {
  /** Requests drawn again because the dataset had fewer usable rows than requests. */
  oversampled: number;
}

/**
 * n row indices as vLLM samples a dataset: without replacement in a seeded random order while
 * rows last (vLLM shuffles, then takes the first n), then with replacement for the rest
 * (vLLM's oversampling), counted. Draws one uniform per row used.
 */
export function sampleRowsWithoutReplacement(trace: LoadedTrace, n: number, rng: Rng, counts: DatasetCounts): number[] {
  const count = trace.rows.length;
  if (count === 0) throw new TraceError({ file: trace.file, expected: 'at least one usable row', value: trace.dropped });
  const order = Array.from({ length: count }, (_, i) => i);
  const picked: number[] = [];
  const distinct = Math.min(n, count);
  for (let i = 0; i < distinct; i++) {
    // Partial Fisher–Yates: position i takes a uniform pick among the rows not taken yet.
    const j = i + Math.floor(rng() * (count - i));
    const a = order[i] as number;
    order[i] = order[j] as number;
    order[j] = a;
    picked.push(order[i] as number);
  }
  for (let i = distinct; i < n; i++) picked.push(Math.floor(rng() * count));
  counts.oversampled += n - distinct;
  return picked;
}

/** A uniform integer in [low, high] (inclusive) from one draw. */
export function uniformInt(rng: Rng, low: number, high: number): number {
  return low + Math.floor(rng() * (high - low + 1));
}

/**
 * Prefix identity of prompts that share their first `prefix_tokens` tokens: the shared whole
 * blocks get ids 0…k−1 (the same for every request) and the rest of each prompt fresh ids, so an
 * engine with prefix caching reuses exactly the shared blocks. `next` hands out fresh ids.
 */
export function sharedPrefixIds(prefix_tokens: number, prompt_tokens: number, block_tokens: number, next: { id: number }): number[] {
  const shared = Math.floor(prefix_tokens / block_tokens);
  const blocks = Math.ceil(prompt_tokens / block_tokens);
  const ids: number[] = [];
  for (let b = 0; b < blocks; b++) ids.push(b < shared ? b : next.id++);
  return ids;
}
