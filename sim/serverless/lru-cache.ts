/**
 * A byte-capacity LRU set of checkpoints: one node's DRAM pool or SSD. `touch` on every use;
 * inserting evicts least-recently-used entries until the newcomer fits. A checkpoint larger
 * than the whole capacity is not cached (and evicts nothing).
 */
export class LruCache {
  /** Insertion order of a Map = recency order: the first key is the least recently used. */
  readonly #entries = new Map<string, number>();
  #used_bytes = 0;

  constructor(readonly capacity_bytes: number) {}

  get used_bytes(): number {
    return this.#used_bytes;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /** Keys, least recently used first. */
  keys(): string[] {
    return [...this.#entries.keys()];
  }

  touch(key: string): void {
    const size = this.#entries.get(key);
    if (size === undefined) return;
    this.#entries.delete(key);
    this.#entries.set(key, size);
  }

  /** Inserts (or refreshes) `key`; returns the keys evicted to make room. */
  insert(key: string, size_bytes: number): string[] {
    if (this.#entries.has(key)) {
      this.touch(key);
      return [];
    }
    if (size_bytes > this.capacity_bytes) return [];
    const evicted: string[] = [];
    for (const [victim, size] of this.#entries) {
      if (this.#used_bytes + size_bytes <= this.capacity_bytes) break;
      this.#entries.delete(victim);
      this.#used_bytes -= size;
      evicted.push(victim);
    }
    this.#entries.set(key, size_bytes);
    this.#used_bytes += size_bytes;
    return evicted;
  }
}
