import { BlockManager } from './block-manager.ts';
import { EngineInvariantError } from './errors.ts';
import type { EngineKind, EngineLimits } from './limits.ts';
import type { StepOutcome, StepPlan } from './plan.ts';
import type { Scheduler } from './scheduler.ts';
import type { Sequence } from './sequence.ts';
import { OutcomeBuffer, PlanBuffer } from './step-buffers.ts';

/** How an engine is built, beside its limits. */
export interface EngineOptions {
  /**
   * Keep block ids (tables, refcounts; default true). False: a counting engine, whose blocks are
   * numbers only (`Sequence.blocks_held`): for the simulator, when no prefix cache or KV copy
   * reads an id (BlockManager). Prefix caching requires ids.
   */
  readonly block_ids?: boolean;
}

/** A sequence's stop condition, checked after each token is appended (EOS, max_tokens, stop strings). */
export type StopCondition<S extends Sequence> = (seq: S) => boolean;

/** What an engine reports about itself (the llumlet's instance info). */
export interface EngineSnapshot {
  readonly total_blocks: number;
  readonly free_blocks: number;
  readonly watermark_blocks: number;
  readonly running: number;
  readonly waiting: number;
  /** Preempted sequences not yet readmitted. */
  readonly killed: number;
  readonly reserved_blocks: number;
  readonly suspended: number;
  readonly cached_blocks: number;
}

/**
 * Queues, blocks and everything but the scheduling rule, shared by every scheduler: step
 * update (append tokens, stop, free), abort, and the migration interface (pre-allocate,
 * suspend, resume, release, commit). Subclasses decide `schedule()` and where a sequence joins
 * the running list.
 */
export abstract class EngineCore<S extends Sequence = Sequence> implements Scheduler<S> {
  abstract readonly kind: EngineKind;
  readonly blocks: BlockManager;
  /** FIFO; preempted sequences go back to the front. */
  readonly waiting: S[] = [];
  readonly running: S[] = [];
  readonly #suspended = new Set<S>();
  /** Pre-allocated block ids (an engine with ids; a counting engine keeps only `#reservedCount`). */
  readonly #reserved = new Set<number>();
  #reservedCount = 0;
  protected killedCount = 0;
  /** The plan `schedule()` refills and the outcome `update()` refills (read each before the next call). */
  protected readonly plan = new PlanBuffer<S>();
  readonly #outcome = new OutcomeBuffer<S>();

  constructor(
    readonly limits: EngineLimits,
    options: EngineOptions = {},
  ) {
    this.blocks = new BlockManager(limits.total_blocks, limits.block_size_tokens, limits.enable_prefix_caching === true, options.block_ids ?? true);
  }

  /**
   * Decides the next step, or undefined when there is nothing to run. The plan is this engine's
   * own object, emptied and refilled by the next call: read it before scheduling again.
   */
  abstract schedule(): StepPlan<S> | undefined;

  /** Puts a sequence that starts (or resumes) running into the running list. */
  protected abstract addRunning(seq: S): void;

  get free_blocks(): number {
    return this.blocks.free_blocks;
  }

  get killed(): number {
    return this.killedCount;
  }

  get reserved_blocks(): number {
    return this.#reservedCount;
  }

  get idle(): boolean {
    return this.waiting.length === 0 && this.running.length === 0;
  }

  blocksFor(tokens: number): number {
    return Math.ceil(tokens / this.limits.block_size_tokens);
  }

  enqueue(seq: S): void {
    seq.status = 'waiting';
    if (this.limits.high_priority_first === true && seq.priority === 'high') {
      // Behind the high-priority sequences already queued, ahead of every normal one.
      const at = this.waiting.findIndex((r) => r.priority !== 'high');
      this.waiting.splice(at < 0 ? this.waiting.length : at, 0, seq);
      return;
    }
    this.waiting.push(seq);
  }

  /**
   * Applies a finished step: advances computed tokens, appends a token (`sampled[i]` for the
   * i-th sequence of the plan, prefills first, when the model is real) to every sequence whose
   * KV caught up, registers full blocks in the prefix cache, and frees stopped sequences. The
   * outcome is this engine's own object, emptied and refilled by the next `update`.
   */
  update(plan: StepPlan<S>, stop: StopCondition<S>, sampled?: readonly (number | undefined)[]): StepOutcome<S> {
    const outcome = this.#outcome.clear();
    let i = 0;
    // Plain loops, no closures: this runs once per simulated step.
    for (const p of plan.prefills) this.advance(outcome, p.seq, p.new_tokens, stop, sampled?.[i++]);
    for (const d of plan.decodes) this.advance(outcome, d.seq, 1, stop, sampled?.[i++]);
    outcome.sealEmitted();
    for (const seq of outcome.finished) this.finish(seq);
    return outcome;
  }

  private advance(outcome: OutcomeBuffer<S>, seq: S, tokens: number, stop: StopCondition<S>, token_id: number | undefined): void {
    if (seq.status !== 'running') throw new EngineInvariantError(`sequence ${seq.id} in a plan is ${seq.status}, not running`);
    const computed = (seq.num_computed_tokens += tokens);
    const total = seq.prompt_tokens + seq.generated;
    if (computed > total) throw new EngineInvariantError(`sequence ${seq.id} computed ${computed} of ${total} tokens`);
    if (this.blocks.prefix_caching) this.cacheFullBlocks(seq);
    if (computed < total) return; // a prefill chunk that is not the last
    if (seq.in_prefill) {
      seq.in_prefill = false;
      outcome.prefilled.push(seq);
    }
    seq.appendToken(token_id);
    outcome.emit(seq);
    const cap = this.limits.max_model_len_tokens;
    if (stop(seq) || (cap !== undefined && seq.num_tokens >= cap)) outcome.finished.push(seq);
  }

  /** Removes a sequence wherever it is (client gone, error) and frees its blocks. */
  abort(seq: S): void {
    if (seq.status === 'waiting') {
      const at = this.waiting.indexOf(seq);
      if (at < 0) throw new EngineInvariantError(`sequence ${seq.id} is not waiting here`);
      this.waiting.splice(at, 1);
      if (seq.preempted_waiting) {
        seq.preempted_waiting = false;
        this.killedCount--;
      }
    } else if (seq.status === 'running') this.removeRunning(seq);
    else if (seq.status === 'suspended') this.#suspended.delete(seq);
    else throw new EngineInvariantError(`cannot abort sequence ${seq.id}: it is ${seq.status}`);
    this.dropBlocks(seq);
    seq.status = 'finished';
  }

  removeRunning(seq: S): void {
    const i = this.running.indexOf(seq);
    if (i < 0) throw new EngineInvariantError(`sequence ${seq.id} is not running here`);
    this.running.splice(i, 1);
  }

  // ---- Migration (Llumnix live migration: PRE-ALLOC, suspend, COMMIT / ABORT) ----

  /** Whether `n` blocks can be pre-allocated for an incoming sequence (above the watermark). */
  canReserve(n: number): boolean {
    return this.blocks.free_blocks - n >= this.limits.watermark_blocks;
  }

  /** PRE-ALLOC: takes `n` blocks for an incoming sequence; undefined when they would cross the watermark. */
  reserve(n: number): number[] | undefined {
    if (!this.canReserve(n)) return undefined;
    const ids = this.blocks.allocate(n);
    if (ids === undefined) return undefined;
    if (this.blocks.ids) for (const id of ids) this.#reserved.add(id);
    this.#reservedCount += n;
    return ids;
  }

  /** ABORT on the destination: gives pre-allocated blocks back. */
  releaseReservation(ids: readonly number[]): void {
    this.#unreserve(ids);
    if (this.blocks.ids) this.blocks.free(ids);
    else this.blocks.release(ids.length);
  }

  /** Takes `ids` out of the reservations (each must be one of them; a counting engine checks the count). */
  #unreserve(ids: readonly number[]): void {
    if (this.blocks.ids) {
      for (const id of ids) if (!this.#reserved.delete(id)) throw new EngineInvariantError(`block ${id} was not pre-allocated here`);
    } else if (ids.length > this.#reservedCount) {
      throw new EngineInvariantError(`${ids.length} blocks given back, ${this.#reservedCount} pre-allocated here`);
    }
    this.#reservedCount -= ids.length;
  }

  /** The block ids a running (or suspended) sequence's KV lives in, to copy. */
  blockIds(seq: S): readonly number[] {
    if (!this.blocks.ids) throw new EngineInvariantError(`sequence ${seq.id}: a counting engine (block_ids: false) keeps no block ids`);
    return seq.block_table;
  }

  /** Stops scheduling a running sequence; it keeps its blocks (the final copy reads them). */
  suspend(seq: S): void {
    this.removeRunning(seq);
    seq.status = 'suspended';
    this.#suspended.add(seq);
  }

  /** Puts a suspended sequence back into the running list (a migration aborted after suspending). */
  resume(seq: S): void {
    if (!this.#suspended.delete(seq)) throw new EngineInvariantError(`sequence ${seq.id} is not suspended here`);
    this.addRunning(seq);
  }

  /** COMMIT on the source: the sequence left; free its blocks here. */
  releaseSuspended(seq: S): void {
    if (!this.#suspended.delete(seq)) throw new EngineInvariantError(`sequence ${seq.id} is not suspended here`);
    this.dropBlocks(seq);
  }

  /**
   * COMMIT on the destination: the sequence (its tokens, and `computed_tokens` of KV — by
   * default its count on the source) runs here on the pre-allocated blocks its KV was copied
   * into, as a decoding sequence.
   */
  commitIncoming(seq: S, ids: readonly number[], computed_tokens = seq.num_computed_tokens): void {
    this.#unreserve(ids);
    if (computed_tokens > seq.num_tokens || this.blocksFor(computed_tokens) > ids.length) {
      throw new EngineInvariantError(`sequence ${seq.id}: ${computed_tokens} computed tokens do not fit ${ids.length} blocks / ${seq.num_tokens} tokens`);
    }
    seq.num_computed_tokens = computed_tokens;
    seq.in_prefill = false;
    if (this.blocks.ids) seq.block_table = [...ids];
    else seq.blocks_held = ids.length;
    seq.cached_blocks = 0;
    this.cacheFullBlocks(seq);
    this.addRunning(seq);
  }

  snapshot(): EngineSnapshot {
    return {
      total_blocks: this.limits.total_blocks,
      free_blocks: this.blocks.free_blocks,
      watermark_blocks: this.limits.watermark_blocks,
      running: this.running.length,
      waiting: this.waiting.length,
      killed: this.killedCount,
      reserved_blocks: this.#reservedCount,
      suspended: this.#suspended.size,
      cached_blocks: this.blocks.cached_blocks,
    };
  }

  /**
   * Block conservation: every block's refcount equals the number of tables (running,
   * suspended) and reservations that hold it; free ones are on the free list; waiting
   * sequences hold none.
   */
  checkBlocks(): void {
    this.blocks.check();
    if (!this.blocks.ids) {
      this.#checkBlockCounts();
      return;
    }
    const refs = new Int32Array(this.limits.total_blocks);
    const hold = (seq: S): void => {
      for (const id of seq.block_table) refs[id] = (refs[id] ?? 0) + 1;
    };
    for (const seq of this.running) hold(seq);
    for (const seq of this.#suspended) hold(seq);
    for (const id of this.#reserved) refs[id] = (refs[id] ?? 0) + 1;
    for (const seq of this.waiting) {
      if (seq.block_table.length > 0) throw new EngineInvariantError(`waiting sequence ${seq.id} holds ${seq.block_table.length} blocks`);
    }
    for (let id = 0; id < refs.length; id++) {
      if (refs[id] !== this.blocks.refCount(id)) {
        throw new EngineInvariantError(`block ${id}: refcount ${this.blocks.refCount(id)}, held ${refs[id]} times`);
      }
    }
  }

  /** A counting engine's conservation: free + held (running, suspended) + pre-allocated = total. */
  #checkBlockCounts(): void {
    let held = 0;
    for (const seq of this.running) held += seq.blocks_held;
    for (const seq of this.#suspended) held += seq.blocks_held;
    for (const seq of this.waiting) {
      if (seq.blocks_held !== 0) throw new EngineInvariantError(`waiting sequence ${seq.id} holds ${seq.blocks_held} blocks`);
    }
    const total = this.blocks.free_blocks + held + this.#reservedCount;
    if (total !== this.limits.total_blocks) {
      throw new EngineInvariantError(`${this.blocks.free_blocks} free + ${held} held + ${this.#reservedCount} pre-allocated = ${total} blocks, not ${this.limits.total_blocks}`);
    }
  }

  /**
   * Gives `seq` `n` more blocks (appended to its table; a counting engine only counts them);
   * false, nothing taken, when too few are free.
   */
  protected growBlocks(seq: S, n: number): boolean {
    if (!this.blocks.allocateInto(seq.block_table, n)) return false;
    seq.blocks_held += n;
    return true;
  }

  /** Gives back every block `seq` holds. */
  protected dropBlocks(seq: S): void {
    if (this.blocks.ids) {
      this.blocks.free(seq.block_table);
      seq.block_table = [];
    } else {
      this.blocks.release(seq.blocks_held);
      seq.blocks_held = 0;
    }
  }

  /** Recompute preemption: frees every block, back to the head of the queue. */
  protected preempt(victim: S): void {
    // Where its own-identity prefix may still be cached (an engine with ids; v1's readmission).
    if (this.blocks.ids) victim.preempted_table = victim.block_table;
    this.dropBlocks(victim);
    victim.num_computed_tokens = 0;
    victim.cached_blocks = 0;
    victim.in_prefill = false;
    victim.epoch++;
    victim.preemptions++;
    victim.preempted_waiting = true;
    this.killedCount++;
    this.waiting.unshift(victim);
    victim.status = 'waiting';
  }

  /** Moves the head of the waiting queue into the running list as a prefill. */
  protected admitHead(seq: S, computed_tokens: number): void {
    this.waiting.shift();
    if (seq.preempted_waiting) {
      seq.preempted_waiting = false;
      this.killedCount--;
    }
    seq.num_computed_tokens = computed_tokens;
    seq.num_cached_tokens = computed_tokens;
    seq.in_prefill = true;
    seq.status = 'running';
    this.addRunning(seq);
  }

  private finish(seq: S): void {
    this.removeRunning(seq);
    this.dropBlocks(seq);
    seq.status = 'finished';
  }

  /** Registers the sequence's computed full blocks in the prefix cache (v1 with caching on). */
  protected cacheFullBlocks(seq: S): void {
    if (!this.blocks.prefix_caching) return;
    const size = this.limits.block_size_tokens;
    const full = Math.min(Math.floor(seq.num_computed_tokens / size), seq.block_table.length);
    for (let i = seq.cached_blocks; i < full; i++) this.blocks.cache(seq.block_table[i] as number, seq.blockKey(i, size));
    if (full > seq.cached_blocks) seq.cached_blocks = full;
  }
}
