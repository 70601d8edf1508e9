import type { Shard, SweepPoint } from './types.ts';

/** Parses `i/n` (0 ≤ i < n): the i-th of every n points. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || count < 1 || index >= count) {
    throw new Error(`shard: expected "i/n" with 0 <= i < n (e.g. 0/4), received "${text}"`);
  }
  return { index, count };
}

/** The points of one shard: sort by id, keep every n-th starting at i. Deterministic. */
export function selectShard<P extends SweepPoint>(points: readonly P[], shard: Shard | undefined): P[] {
  const sorted = [...points].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return shard === undefined ? sorted : sorted.filter((_, i) => i % shard.count === shard.index);
}
