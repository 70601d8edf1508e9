/**
 * An inference instance of one model on some GPUs of one node, running the engine core's
 * vLLM v0 scheduler with `max_num_seqs = capacity` (see `ServerlessEngine`): each iteration is
 * prefill-only (new prompts) or decode-only, and emits one token per request in it. Requests
 * that arrive by token migration join with their KV recomputed. `freeze` cancels the
 * iteration in flight — its tokens were never emitted, so nothing is lost or duplicated when
 * another instance takes over.
 */
import { VllmV0Scheduler } from '../../engine/index.ts';
import { Band, type Simulation } from '../kernel/index.ts';
import { checkedLatency } from '../perf/index.ts';
import type { CatalogueEntry } from './catalogue.ts';
import type { ServerlessRequest } from './request.ts';

export type InstanceState =
  /** Reserved GPUs, waiting for victims to leave them. */
  | 'waiting'
  | 'loading'
  | 'ready'
  /** Source of a live migration: keeps decoding, takes no new request. */
  | 'migrating'
  /** Migration source after its final round: stopped, requests in transit. */
  | 'frozen'
  | 'stopped';

export interface InstanceHooks {
  finished(request: ServerlessRequest, instance: ServerlessInstance): void;
  idle(instance: ServerlessInstance): void;
}

/** KV blocks per request slot: ServerlessLLM's instances do not model a KV limit (32k tokens a slot). */
const SLOT_BLOCKS = 2048;
const BLOCK_TOKENS = 16;

/**
 * vLLM v0 as ServerlessLLM's instances run: the running list in admission order (requests
 * stream in the order they were routed; migrated ones join at the end) and KV never binding.
 */
export class ServerlessEngine extends VllmV0Scheduler<ServerlessRequest> {
  protected override addRunning(seq: ServerlessRequest): void {
    seq.status = 'running';
    this.running.push(seq);
  }
}

export class ServerlessInstance {
  state: InstanceState = 'waiting';
  readonly engine: ServerlessEngine;
  /** Incremented by `freeze`/`stop`; an iteration ending with another epoch is discarded. */
  #epoch = 0;
  #stepping = false;
  ready_s: number | undefined;

  constructor(
    readonly id: number,
    readonly model: CatalogueEntry,
    readonly node: number,
    readonly gpus: readonly number[],
    /** Requests served at once (auto_scaling_config target when metric is concurrency). */
    readonly capacity: number,
    readonly migrationDestination: boolean,
    private readonly sim: Simulation,
    private readonly hooks: InstanceHooks,
  ) {
    const slots = Math.max(1, capacity);
    this.engine = new ServerlessEngine({
      total_blocks: slots * SLOT_BLOCKS,
      watermark_blocks: 0,
      block_size_tokens: BLOCK_TOKENS,
      max_num_batched_tokens: Number.POSITIVE_INFINITY,
      max_num_seqs: slots,
    }, { block_ids: false }); // no KV is moved or cached here: blocks are counts (BlockManager)
  }

  /** Every request on this instance, in the order it was routed here (running, then queued). */
  get requests(): readonly ServerlessRequest[] {
    return [...this.engine.running, ...this.engine.waiting];
  }

  /** Requests on this instance (running and queued). */
  get load(): number {
    return this.engine.running.length + this.engine.waiting.length;
  }

  /** Takes every request off this instance (their KV here is dropped), in routed order. */
  takeAll(): ServerlessRequest[] {
    const all = [...this.requests];
    for (const r of all) this.engine.abort(r);
    return all;
  }

  get serving(): boolean {
    return this.state === 'ready' || this.state === 'migrating';
  }

  add(request: ServerlessRequest): void {
    const slot = SLOT_BLOCKS * BLOCK_TOKENS;
    if (request.prompt_tokens + request.max_tokens > slot) {
      throw new RangeError(`request ${request.id}: ${request.prompt_tokens} + ${request.max_tokens} tokens exceed an instance slot (${slot})`);
    }
    request.instance = this.id;
    this.engine.enqueue(request);
    this.kick();
  }

  /** A request whose KV the destination recomputed (token migration) joins as a decoding one. */
  addMigrated(request: ServerlessRequest): void {
    request.instance = this.id;
    const ids = this.engine.reserve(this.engine.blocksFor(request.num_tokens));
    if (ids === undefined) throw new Error(`instance ${this.id}: no KV slot for migrated request ${request.id}`);
    this.engine.commitIncoming(request, ids, request.num_tokens - 1);
    this.kick();
  }

  /** Stops stepping (the in-flight iteration is discarded); requests stay listed. */
  freeze(): void {
    this.#epoch++;
    this.#stepping = false;
    this.state = 'frozen';
  }

  stop(): void {
    this.#epoch++;
    this.#stepping = false;
    this.state = 'stopped';
  }

  kick(): void {
    if (this.#stepping || !this.serving || this.engine.idle) return;
    const plan = this.engine.schedule();
    if (plan === undefined) return;
    if (plan.ignored.length > 0) {
      // The engine drops a head longer than its token cap, which is infinite here: never.
      const ids = plan.ignored.map((r) => r.id).join(', ');
      throw new Error(`serverless instance ${this.id}: the engine dropped request(s) ${ids} as longer than its token cap, which is infinite in the ServerlessLLM simulator (a bug)`);
    }
    this.#stepping = true;
    const epoch = this.#epoch;
    const ms = this.model.perf.step_ms(plan);
    checkedLatency(this.model.perf.name, plan.prefills.length > 0 ? 'prefill' : 'decode', ms);
    this.sim.after(ms / 1e3, Band.stepEnd, () => {
      if (epoch !== this.#epoch) return;
      const { emitted, finished } = this.engine.update(plan, isDone);
      for (const request of emitted) request.record(this.sim.now_s, this.id);
      this.#stepping = false;
      // Hooks run after the iteration is complete: they may hand this instance new requests.
      for (const request of finished) this.hooks.finished(request, this);
      if (this.engine.idle) this.hooks.idle(this);
      else this.kick();
    });
  }
}

function isDone(request: ServerlessRequest): boolean {
  return request.done;
}
