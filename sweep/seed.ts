/**
 * The seed of a sweep point: FNV-1a (32 bit) over the UTF-8 bytes of
 * `"<base seed>:<seed group>"`, masked to 31 bits so it is a valid non-negative int seed.
 * A hash rather than a counter, so that a point's seed does not change when points are added,
 * removed, reordered or split across shards.
 */
export function derivedSeed(baseSeed: number, group: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(`${baseSeed}:${group}`)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash & 0x7fffffff;
}
