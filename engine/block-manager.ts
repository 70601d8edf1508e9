import { EngineInvariantError } from './errors.ts';
import type { BlockKey } from './sequence.ts';

const NONE = -1;
/** The id a counting manager gives every block it hands out (it keeps none). */
export const NO_BLOCK_ID = -1;

/**
 * The KV blocks of one instance: real block ids, reference counts, a free list and a prefix
 * cache (vLLM v1's block pool, written from its rules):
 *
 * - a block with refcount 0 is *free*; it may still hold a cached prefix (key kept), so it
 *   counts as free yet can be revived by a cache hit until it is reused;
 * - the free list is LRU: freed blocks join the tail, allocation takes the head, and a cached
 *   block taken from the head loses its key (eviction);
 * - a cache hit on a free block takes it out of the free list (O(1): a doubly linked list
 *   over typed arrays).
 *
 * Without prefix caching no block is ever revived, so the free list is a plain stack (the
 * cheapest structure; the simulator's v0 engine allocates every prompt block up front).
 *
 * A *counting* manager (`ids` false) keeps only the number of free blocks: no ids, no tables,
 * no refcounts. The simulator uses it whenever nothing reads a block id (no prefix cache, no KV
 * to move): every decision depends on counts alone, so its results are those of the id-keeping
 * manager (a test runs presets both ways), while a step touches no block table, free stack or
 * refcount, three cold loads per new block with thousands of instances (docs/performance.md,
 * thirteenth round). Its tables stay empty and `Sequence.blocks_held` is the count.
 */
export class BlockManager {
  readonly #refs: Int32Array;
  readonly #prev: Int32Array;
  readonly #next: Int32Array;
  readonly #keyOf: (BlockKey | undefined)[];
  readonly #cache = new Map<BlockKey, number>();
  #head = NONE;
  #tail = NONE;
  #free = 0;
  /** Free block ids when prefix caching is off (top at `#free − 1`). */
  readonly #stack: Int32Array | undefined;

  constructor(
    readonly total_blocks: number,
    readonly block_size: number,
    readonly prefix_caching: boolean,
    /** Whether blocks have ids (tables, refcounts); false: a counting manager (see above). */
    readonly ids = true,
  ) {
    if (!Number.isInteger(total_blocks) || total_blocks < 1) throw new RangeError(`total_blocks must be an integer >= 1, received ${total_blocks}`);
    if (!ids && prefix_caching) throw new RangeError('a counting block manager (ids: false) cannot cache prefixes: the prefix cache is keyed by block ids');
    // Prefix keys, only when caching: an array as long as the pool per instance otherwise unused.
    this.#keyOf = prefix_caching ? new Array<BlockKey | undefined>(total_blocks).fill(undefined) : [];
    if (!ids) {
      this.#refs = new Int32Array(0);
      this.#prev = new Int32Array(0);
      this.#next = new Int32Array(0);
      this.#stack = undefined;
      this.#free = total_blocks;
      return;
    }
    this.#refs = new Int32Array(total_blocks);
    if (prefix_caching) {
      this.#stack = undefined;
      this.#prev = new Int32Array(total_blocks).fill(NONE);
      this.#next = new Int32Array(total_blocks).fill(NONE);
      for (let id = 0; id < total_blocks; id++) this.#pushTail(id);
    } else {
      this.#prev = new Int32Array(0);
      this.#next = new Int32Array(0);
      // Lowest ids on top, so allocation order is 0, 1, 2, … like the LRU list's.
      this.#stack = new Int32Array(total_blocks);
      for (let i = 0; i < total_blocks; i++) this.#stack[i] = total_blocks - 1 - i;
      this.#free = total_blocks;
    }
  }

  /** Blocks with refcount 0 (cached-but-evictable ones included, as vLLM counts them). */
  get free_blocks(): number {
    return this.#free;
  }

  /** Cached blocks (referenced or not). O(total): for reports and tests. */
  get cached_blocks(): number {
    if (!this.prefix_caching) return 0;
    let n = 0;
    for (const key of this.#keyOf) if (key !== undefined) n++;
    return n;
  }

  refCount(block: number): number {
    if (!this.ids) throw new EngineInvariantError('a counting block manager has no block ids to count references of');
    return this.#refs[block] ?? 0;
  }

  /**
   * Takes `n` free blocks (LRU first, evicting their cached prefix); undefined if too few. A
   * counting manager hands out `n` times NO_BLOCK_ID: the count is what its callers use.
   */
  allocate(n: number): number[] | undefined {
    const out: number[] = [];
    if (!this.allocateInto(out, n)) return undefined;
    if (!this.ids) for (let i = 0; i < n; i++) out.push(NO_BLOCK_ID);
    return out;
  }

  /**
   * Appends `n` fresh blocks to `table`; false (nothing taken) when too few are free. A counting
   * manager only takes them from its count and leaves `table` as it is.
   */
  allocateInto(table: number[], n: number): boolean {
    if (n > this.#free) return false;
    if (!this.ids) {
      this.#free -= n;
      return true;
    }
    const stack = this.#stack;
    if (stack !== undefined) {
      for (let i = 0; i < n; i++) {
        const id = stack[--this.#free] as number;
        this.#refs[id] = 1;
        table.push(id);
      }
      return true;
    }
    for (let i = 0; i < n; i++) {
      const id = this.#head;
      this.#unlink(id);
      this.#evict(id);
      this.#refs[id] = 1;
      table.push(id);
    }
    return true;
  }

  /**
   * Releases one reference to each block. Tail blocks are released first, so a sequence's
   * last blocks are evicted before its first ones (a prefix stays cached longest).
   */
  free(blocks: readonly number[]): void {
    if (!this.ids) throw new EngineInvariantError('a counting block manager frees a number of blocks (release), not block ids');
    for (let i = blocks.length - 1; i >= 0; i--) {
      const id = blocks[i] as number;
      const refs = (this.#refs[id] ?? 0) - 1;
      if (refs < 0) throw new EngineInvariantError(`block ${id} freed more often than referenced`);
      this.#refs[id] = refs;
      if (refs !== 0) continue;
      const stack = this.#stack;
      if (stack !== undefined) stack[this.#free++] = id;
      else this.#pushTail(id);
    }
  }

  /** Gives `n` blocks back to a counting manager. */
  release(n: number): void {
    if (this.ids) throw new EngineInvariantError('a block manager with ids frees its blocks by id (free), not by count');
    if (!Number.isInteger(n) || n < 0 || this.#free + n > this.total_blocks) {
      throw new EngineInvariantError(`${n} blocks released with ${this.#free} of ${this.total_blocks} already free`);
    }
    this.#free += n;
  }

  /**
   * The cached block holding `key`, if any. Own-identity keys (numbers) are not indexed: only
   * their sequence can hit them, at the block it held (`hint`), if that block still holds it.
   */
  lookup(key: BlockKey, hint?: number): number | undefined {
    if (typeof key === 'string') return this.#cache.get(key);
    return hint !== undefined && this.#keyOf[hint] === key ? hint : undefined;
  }

  /** Takes one more reference to cached blocks (a hit); free ones leave the free list. */
  touch(blocks: readonly number[]): void {
    if (!this.prefix_caching && blocks.length > 0) throw new EngineInvariantError('a cache hit without prefix caching');
    for (const id of blocks) {
      if (this.#refs[id] === 0) this.#unlink(id);
      this.#refs[id] = (this.#refs[id] ?? 0) + 1;
    }
  }

  /** Registers a full, computed block under its prefix key (the first block with a key wins). */
  cache(block: number, key: BlockKey): void {
    if (!this.prefix_caching || this.#keyOf[block] !== undefined) return;
    if (typeof key === 'string') {
      if (this.#cache.has(key)) return;
      this.#cache.set(key, block);
    }
    this.#keyOf[block] = key;
  }

  /** Free-list and refcount consistency (tests; O(total)). */
  check(): void {
    if (!this.ids) {
      if (!Number.isInteger(this.#free) || this.#free < 0 || this.#free > this.total_blocks) {
        throw new EngineInvariantError(`a counting block manager has ${this.#free} of ${this.total_blocks} blocks free`);
      }
      return;
    }
    const stack = this.#stack;
    if (stack !== undefined) {
      const seen = new Set<number>();
      for (let i = 0; i < this.#free; i++) {
        const id = stack[i] as number;
        if (this.#refs[id] !== 0 || seen.has(id)) throw new EngineInvariantError(`free stack holds block ${id} (refcount ${this.#refs[id]}) twice or in use`);
        seen.add(id);
      }
      let zero = 0;
      for (let id = 0; id < this.total_blocks; id++) if (this.#refs[id] === 0) zero++;
      if (zero !== this.#free) throw new EngineInvariantError(`${zero} blocks have refcount 0, the free stack holds ${this.#free}`);
      return;
    }
    let n = 0;
    let last = NONE;
    for (let id = this.#head; id !== NONE; id = this.#next[id] as number) {
      if (this.#refs[id] !== 0) throw new EngineInvariantError(`block ${id} is on the free list with refcount ${this.#refs[id]}`);
      if (this.#prev[id] !== last) throw new EngineInvariantError(`free list broken at block ${id}`);
      last = id;
      n++;
      if (n > this.total_blocks) throw new EngineInvariantError('free list has a cycle');
    }
    let zero = 0;
    for (let id = 0; id < this.total_blocks; id++) if (this.#refs[id] === 0) zero++;
    if (n !== this.#free || zero !== this.#free) {
      throw new EngineInvariantError(`free list holds ${n} blocks, ${zero} have refcount 0, counter says ${this.#free}`);
    }
    for (const [key, id] of this.#cache) {
      if (this.#keyOf[id] !== key) throw new EngineInvariantError(`cache key ${key} maps to block ${id}, which holds ${this.#keyOf[id]}`);
    }
  }

  #evict(id: number): void {
    const key = this.#keyOf[id];
    if (key === undefined) return;
    if (typeof key === 'string') this.#cache.delete(key);
    this.#keyOf[id] = undefined;
  }

  #pushTail(id: number): void {
    this.#prev[id] = this.#tail;
    this.#next[id] = NONE;
    if (this.#tail === NONE) this.#head = id;
    else this.#next[this.#tail] = id;
    this.#tail = id;
    this.#free++;
  }

  #unlink(id: number): void {
    const p = this.#prev[id] as number;
    const n = this.#next[id] as number;
    if (p === NONE) this.#head = n;
    else this.#next[p] = n;
    if (n === NONE) this.#tail = p;
    else this.#prev[n] = p;
    this.#prev[id] = NONE;
    this.#next[id] = NONE;
    this.#free--;
  }
}
