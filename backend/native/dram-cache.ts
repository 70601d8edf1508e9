// DRAM tier: host images of loaded checkpoints, bounded by capacity, evicted least recently
// used first. An entry that is loading or pinned by a reader is never evicted.
import { NativeError } from './errors.ts';
import { allocHostBuffer } from './host-buffer.ts';

export interface DramCacheOptions {
  /**
   * Allocates an entry's buffer. Default: 4 KiB-aligned with huge pages advised, so a cold
   * load reads straight into the entry (no staging copy) — see host-buffer.ts.
   */
  allocate?: (bytes: number) => Buffer;
}

interface Entry {
  key: string;
  bytes: number;
  buffer: Buffer;
  pins: number;
  lastAccess: number;
  ready: Promise<void>;
  loaded: boolean;
}

export interface CacheLease {
  buffer: Buffer;
  /** true when the bytes were already in the cache (no disk I/O for this call). */
  hit: boolean;
  /** false when the image did not fit next to pinned entries and was loaded uncached. */
  cached: boolean;
  /** Drops the pin; idempotent. */
  release(): void;
}

export interface CacheStats {
  capacityBytes: number;
  usedBytes: number;
  entries: Array<{ key: string; bytes: number; pins: number; loaded: boolean }>;
  hits: number;
  misses: number;
  evictions: number;
}

export class DramCache {
  readonly capacityBytes: number;
  #entries = new Map<string, Entry>();
  #clock = 0;
  #hits = 0;
  #misses = 0;
  #evictions = 0;

  readonly #allocate: (bytes: number) => Buffer;

  constructor(capacityBytes: number, opts: DramCacheOptions = {}) {
    this.#allocate = opts.allocate ?? allocHostBuffer;
    if (!Number.isSafeInteger(capacityBytes) || capacityBytes < 0) throw new NativeError(`DramCache capacity must be a non-negative integer, got ${capacityBytes}`, 'EINVAL');
    this.capacityBytes = capacityBytes;
  }

  get usedBytes(): number {
    let n = 0;
    for (const e of this.#entries.values()) n += e.bytes;
    return n;
  }

  has(key: string): boolean {
    return this.#entries.get(key)?.loaded === true;
  }

  /**
   * Returns a pinned lease on `key`'s image, calling `fill` to load it on a miss. Concurrent
   * acquires of the same key share one fill. A failed fill removes the entry.
   */
  async acquire(key: string, bytes: number, fill: (buffer: Buffer) => Promise<void>): Promise<CacheLease> {
    const existing = this.#entries.get(key);
    if (existing && existing.bytes === bytes) {
      existing.pins++;
      existing.lastAccess = ++this.#clock;
      const hit = existing.loaded;
      if (hit) this.#hits++;
      try {
        await existing.ready;
      } catch (err) {
        existing.pins--;
        throw err;
      }
      return this.#lease(existing, hit);
    }
    if (existing) this.#evictOne(existing); // same key, different size: the checkpoint changed
    this.#misses++;
    if (!this.#makeRoom(bytes)) {
      const buffer = this.#allocate(bytes);
      await fill(buffer);
      return { buffer, hit: false, cached: false, release: () => {} };
    }
    const entry: Entry = { key, bytes, buffer: this.#allocate(bytes), pins: 1, lastAccess: ++this.#clock, ready: Promise.resolve(), loaded: false };
    entry.ready = fill(entry.buffer).then(
      () => { entry.loaded = true; },
      (err: unknown) => {
        if (this.#entries.get(key) === entry) this.#entries.delete(key);
        throw err;
      },
    );
    this.#entries.set(key, entry);
    try {
      await entry.ready;
    } catch (err) {
      entry.pins--;
      throw err;
    }
    return this.#lease(entry, false);
  }

  /** Removes an unpinned entry; returns false when it is pinned or absent. */
  evict(key: string): boolean {
    const e = this.#entries.get(key);
    if (!e || e.pins > 0 || !e.loaded) return false;
    this.#evictOne(e);
    return true;
  }

  clear(): void {
    for (const e of [...this.#entries.values()]) if (e.pins === 0 && e.loaded) this.#evictOne(e);
  }

  stats(): CacheStats {
    return {
      capacityBytes: this.capacityBytes, usedBytes: this.usedBytes,
      entries: [...this.#entries.values()].map((e) => ({ key: e.key, bytes: e.bytes, pins: e.pins, loaded: e.loaded })),
      hits: this.#hits, misses: this.#misses, evictions: this.#evictions,
    };
  }

  #lease(e: Entry, hit: boolean): CacheLease {
    let released = false;
    return {
      buffer: e.buffer, hit, cached: true,
      release: () => {
        if (released) return;
        released = true;
        e.pins--;
      },
    };
  }

  #evictOne(e: Entry): void {
    this.#entries.delete(e.key);
    this.#evictions++;
    // The Buffer itself is freed by GC once readers holding tensor views drop them.
  }

  /** Evicts unpinned, loaded entries oldest first until `bytes` fit; false if they cannot. */
  #makeRoom(bytes: number): boolean {
    if (bytes > this.capacityBytes) return false;
    const victims = [...this.#entries.values()].filter((e) => e.pins === 0 && e.loaded).sort((a, b) => a.lastAccess - b.lastAccess);
    let free = this.capacityBytes - this.usedBytes;
    for (const v of victims) {
      if (free >= bytes) break;
      this.#evictOne(v);
      free += v.bytes;
    }
    return free >= bytes;
  }
}
