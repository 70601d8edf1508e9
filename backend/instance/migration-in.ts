// The destination's side of a live migration: blocks pre-allocated per incoming request
// (PRE-ALLOC, growing stage by stage), freed on ABORT, handed to the request on COMMIT. A
// watchdog frees a reservation whose source went silent (Llumnix: pending pre-allocations
// time out when the source dies). The manager may attach to a request's output while its
// blocks are only reserved (the source announced the migration): the output then flows from
// the COMMIT on, with no Attach round trip after it.
import type { LLMEngine } from '../engine/llm-engine.ts';
import type { MigratedState } from '../engine/migrated-state.ts';
import type { GenerationDelta } from '../engine/types.ts';
import { decodeKvCatchUp, decodeKvCommit } from './kv-commit.ts';

/** Takes a committed request's output stream (to the manager subscription that attached). */
export type Deliver = (stream: AsyncIterable<GenerationDelta>) => void;

interface Reservation {
  ids: number[];
  timer: NodeJS.Timeout;
  /** Attached ahead of the COMMIT: where the output goes once committed. */
  deliver?: Deliver | undefined;
  /** The manager aborted the request before its COMMIT: it ends as soon as it commits. */
  cancelled?: boolean;
}

export class IncomingMigrations {
  readonly #byRequest = new Map<string, Reservation>();
  /** Output streams of committed requests, until the manager attaches. */
  readonly #committed = new Map<string, AsyncIterable<GenerationDelta>>();

  constructor(
    private readonly engine: LLMEngine,
    /** A reservation with no PRE-ALLOC or COMMIT for this long is freed. */
    readonly timeout_ms = 10_000,
  ) {}

  /** PRE-ALLOC: `n` more blocks for `request_id`; undefined (nothing taken) when they do not fit. */
  preAlloc(request_id: string, n: number): number[] | undefined {
    const ids = this.engine.reserveBlocks(n);
    if (ids === undefined) return undefined;
    const r = this.#byRequest.get(request_id);
    if (r === undefined) this.#byRequest.set(request_id, { ids: [...ids], timer: this.#watchdog(request_id) });
    else {
      r.ids.push(...ids);
      r.timer.refresh();
    }
    return ids;
  }

  /** ABORT: frees everything reserved for the request. */
  free(request_id: string): void {
    const r = this.#byRequest.get(request_id);
    if (r === undefined) return;
    clearTimeout(r.timer);
    this.#byRequest.delete(request_id);
    this.engine.releaseReservation(r.ids);
  }

  /**
   * COMMIT: the request runs here on its reserved blocks: the first `blocks` of them (all when
   * absent); the rest, reserved ahead as slack for the last stage, are freed.
   */
  commit(state: MigratedState, blocks?: number, opts: { source_continues?: boolean } = {}): void {
    const r = this.#byRequest.get(state.request_id);
    if (r === undefined) throw new Error(`no blocks are pre-allocated here for request ${state.request_id} (timed out after ${this.timeout_ms} ms, or never reserved)`);
    if (blocks !== undefined && blocks > r.ids.length) throw new Error(`request ${state.request_id}: COMMIT names ${blocks} blocks but ${r.ids.length} are reserved here`);
    clearTimeout(r.timer);
    this.#byRequest.delete(state.request_id);
    const used = r.ids.slice(0, blocks ?? r.ids.length);
    const unused = r.ids.slice(used.length);
    let stream: AsyncIterable<GenerationDelta>;
    try {
      stream = this.engine.commitIncoming(state, used, opts);
    } catch (err) {
      this.engine.releaseReservation(r.ids);
      throw err;
    }
    if (unused.length > 0) this.engine.releaseReservation(unused);
    // Refusing the COMMIT would leave the request on the source, whose abort is on its way too;
    // taking it and ending it at once frees both sides without a failed transfer.
    if (r.cancelled === true) this.engine.abort(state.request_id);
    else if (r.deliver !== undefined) r.deliver(stream);
    else this.#committed.set(state.request_id, stream);
  }

  /** A COMMIT that arrived on the KV connection behind the request's last blocks, or a snapshot's catch-up tokens after it. */
  commitPayload(payload: Buffer): void {
    const up = decodeKvCatchUp(payload);
    if (up !== undefined) {
      // A request no longer here (its copy finished first, or the client left) needs no
      // catch-up: taken without effect, so that the source's connection stays usable. (A
      // destination that died fails the source's send instead.)
      if (this.engine.sequence(up.request_id) !== undefined) this.engine.catchUpMigrated(up.request_id, up.from, up.token_ids);
      return;
    }
    const c = decodeKvCommit(payload);
    this.commit(c.state, c.blocks, c.source_continues === true ? { source_continues: true } : {});
  }

  /** COMMIT of a token-based migration: the request runs here from its tokens (no blocks reserved). */
  commitTokens(state: MigratedState): void {
    if (this.#committed.has(state.request_id)) throw new Error(`request ${state.request_id} was already committed here and not attached yet`);
    this.#committed.set(state.request_id, this.engine.resumeMigrated(state));
  }

  /**
   * Attach: a committed request's output goes to `deliver` now (once); a request whose blocks
   * are reserved here (the source announced its migration, COMMIT to come) sends it there the
   * moment it commits. False when neither (never reserved, or its migration aborted).
   */
  attach(request_id: string, deliver: Deliver): boolean {
    const stream = this.#committed.get(request_id);
    if (stream !== undefined) {
      this.#committed.delete(request_id);
      deliver(stream);
      return true;
    }
    const r = this.#byRequest.get(request_id);
    if (r === undefined || r.cancelled === true) return false;
    r.deliver = deliver;
    return true;
  }

  /**
   * The manager aborted the request (the client went away, or it attached ahead and the
   * request stayed on its source): an attachment waiting for the COMMIT is dropped and a COMMIT
   * still to come ends the request at once; a committed request nobody attached to is
   * forgotten (the engine's abort ends it).
   */
  cancel(request_id: string): void {
    this.#committed.delete(request_id);
    const r = this.#byRequest.get(request_id);
    if (r === undefined) return;
    r.deliver = undefined;
    r.cancelled = true;
  }

  get reserved_blocks(): number {
    let n = 0;
    for (const r of this.#byRequest.values()) n += r.ids.length;
    return n;
  }

  #watchdog(request_id: string): NodeJS.Timeout {
    const timer = setTimeout(() => this.free(request_id), this.timeout_ms);
    timer.unref();
    return timer;
  }
}
