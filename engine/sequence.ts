import { chainedTokenHash, type PrefixIdentity } from './block-hash.ts';

/** A prefix-cache key: a string (token or trace identity) or a negative integer (own identity). */
export type BlockKey = string | number;

/** Own-identity keys give each sequence 2²¹ block indices (33M tokens at 16 a block). */
const OWN_BLOCKS_PER_SEQUENCE = 2 ** 21;
/** The one 'own' identity every such sequence shares (a million requests, one object). */
const OWN_IDENTITY = Object.freeze({ kind: 'own' as const });

export type SequenceStatus = 'new' | 'waiting' | 'running' | 'suspended' | 'finished';
export type SequencePriority = 'normal' | 'high';

export interface SequenceInit {
  readonly id: number;
  /** Orders first-come-first-served (seconds; data, not a clock). */
  readonly arrival_s: number;
  readonly priority: SequencePriority;
  readonly prompt_tokens: number;
  /** The client's max_tokens, when known (max_model_len is checked against prompt + this). */
  readonly max_output_tokens?: number;
  /** Real prompt token ids (the real engine); without them the sequence counts tokens only. */
  readonly prompt_token_ids?: readonly number[];
  /** Per-block hash ids from a trace (Mooncake `hash_ids`), one per `hash_block_tokens`. */
  readonly hash_ids?: readonly number[];
  readonly hash_block_tokens?: number;
}

/**
 * One request inside an engine: its tokens (ids, or just a count in the simulator), the block
 * table of real block ids holding its KV, and how far the KV is computed. The scheduler moves
 * it between queues; only the engine writes these fields.
 */
export class Sequence {
  // The fields every step reads or writes come first, so they share the object's first cache
  // lines: with thousands of instances a sequence is cold at each of its steps (V8 lays fields
  // out in declaration order, a subclass's after these).
  status: SequenceStatus = 'new';
  /** Output tokens appended so far. */
  generated = 0;
  /** Tokens whose KV is in this sequence's blocks. */
  num_computed_tokens = 0;
  readonly prompt_tokens: number;
  /** True from admission until the prompt (and any output to recompute) is computed. */
  in_prefill = false;
  /**
   * The context of its entry in the decode batch being formed: a sequence is its own decode
   * entry (`seq` is itself, engine/decode-item.ts), so a step allocates nothing per token and a
   * batch is one hop from its sequences, not two (a separate entry object was a second cold
   * load per sequence per step with thousands of instances). Written only by the scheduler
   * forming a plan.
   */
  context_tokens = 0;
  /**
   * Blocks it holds: its block table's length, kept beside the hot fields so a decode step can
   * tell whether the sequence needs a new block without reading the table (a second object,
   * cold with thousands of instances); in a counting engine (no block ids, its table empty) the
   * count itself. Set by assigning `block_table` and by the engine as it adds or frees blocks.
   */
  blocks_held = 0;
  /**
   * The client's max_tokens, when known; beside the step's fields because the simulator's stop
   * test reads it every step (a field further down is one more cache line per sequence per step).
   */
  readonly max_output_tokens: number | undefined;
  /** Prompt then output token ids; undefined when the engine only counts tokens. */
  readonly token_ids: number[] | undefined;

  readonly id: number;
  readonly arrival_s: number;
  readonly priority: SequencePriority;
  readonly identity: PrefixIdentity;

  /** Tokens found in the prefix cache at its last admission. */
  num_cached_tokens = 0;
  /** Its block table when it was last preempted: where its own-identity prefix may still be cached. */
  preempted_table: readonly number[] = [];
  /** Preempted and not yet readmitted. */
  preempted_waiting = false;
  preemptions = 0;
  /** Bumped on every preemption, so an in-flight migration can tell its copy went stale. */
  epoch = 0;
  /** Leading blocks already registered in the current engine's prefix cache. */
  cached_blocks = 0;
  /** Cached token-id block keys; created on first use (most simulated sequences never need one). */
  #keys: string[] | undefined;
  #table: number[] = [];

  constructor(init: SequenceInit) {
    this.id = init.id;
    this.arrival_s = init.arrival_s;
    this.priority = init.priority;
    this.prompt_tokens = init.prompt_tokens;
    this.max_output_tokens = init.max_output_tokens;
    if (init.prompt_token_ids !== undefined) {
      if (init.prompt_token_ids.length !== init.prompt_tokens) {
        throw new RangeError(`sequence ${init.id}: ${init.prompt_token_ids.length} prompt token ids for prompt_tokens ${init.prompt_tokens}`);
      }
      this.token_ids = [...init.prompt_token_ids];
      this.identity = { kind: 'tokens' };
    } else {
      this.token_ids = undefined;
      this.identity =
        init.hash_ids !== undefined && init.hash_ids.length > 0
          ? { kind: 'trace', hash_ids: init.hash_ids, hash_block_tokens: init.hash_block_tokens ?? 512 }
          : OWN_IDENTITY;
    }
  }

  /** Prompt plus generated tokens: what a re-prefill must recompute. */
  /** Itself, as the decode entry it is (`DecodeItem.seq`). */
  get seq(): this {
    return this;
  }

  get num_tokens(): number {
    return this.prompt_tokens + this.generated;
  }

  /**
   * Real block ids, in token order. Assigning a table sets `blocks_held`; code that appends to
   * the table in place (the engine's allocations) sets `blocks_held` after.
   */
  get block_table(): number[] {
    return this.#table;
  }

  set block_table(table: number[]) {
    this.#table = table;
    this.blocks_held = table.length;
  }

  /** Blocks held (`blocks_held`). */
  get blocks(): number {
    return this.blocks_held;
  }

  /**
   * Starts over after leaving its engine (aborted there): no output, no KV, not queued.
   * (ServerlessLLM's preemption restarts a request from its prompt.)
   */
  restart(): void {
    if (this.blocks_held > 0) throw new RangeError(`sequence ${this.id} restarts while holding ${this.blocks_held} blocks`);
    if (this.token_ids !== undefined) this.token_ids.length = this.prompt_tokens;
    this.generated = 0;
    this.num_computed_tokens = 0;
    this.num_cached_tokens = 0;
    this.in_prefill = false;
    this.preempted_waiting = false;
    this.cached_blocks = 0;
    this.epoch++;
    this.status = 'new';
  }

  /** Appends one sampled token (its id when the engine runs a real model). */
  appendToken(token_id?: number): void {
    this.generated++;
    if (this.token_ids !== undefined) {
      if (token_id === undefined) throw new RangeError(`sequence ${this.id} holds token ids; a sampled token id is required`);
      this.token_ids.push(token_id);
    }
  }

  /**
   * Prefix-cache key of full block `index` (block_size tokens each). Own-identity keys are
   * negative integers (no string to build: the simulator registers every block of every
   * request); token and trace keys are strings.
   */
  blockKey(index: number, block_size: number): BlockKey {
    const known = this.#keys?.[index];
    if (known !== undefined) return known;
    let key: string;
    const identity = this.identity;
    if (identity.kind === 'tokens') {
      const parent = index === 0 ? undefined : (this.blockKey(index - 1, block_size) as string);
      key = chainedTokenHash(parent, this.token_ids as number[], index * block_size, (index + 1) * block_size);
    } else if (identity.kind === 'trace' && (index + 1) * block_size <= identity.hash_ids.length * identity.hash_block_tokens) {
      const per = identity.hash_block_tokens;
      const j = Math.floor((index * block_size) / per);
      key = `t${identity.hash_ids[j]}:${index * block_size - j * per}:${block_size}`;
    } else return -(this.id * OWN_BLOCKS_PER_SEQUENCE + index) - 1;
    // Token-id keys are immutable once the block is full; the cache keeps them.
    if (identity.kind === 'tokens') (this.#keys ??= [])[index] = key;
    return key;
  }
}

/** Orders sequences first-come-first-served: arrival time, then id. */
export function byArrival(a: Sequence, b: Sequence): number {
  return a.arrival_s - b.arrival_s || a.id - b.id;
}
