// The source's side of a live migration (Llumnix's migration coordinator on the llumlet): pick
// a running request with the source's selector, copy its full KV blocks in stages while it keeps
// decoding, suspend it at a step boundary for the last stage, copy the rest, COMMIT on the
// destination with its tokens and sampling state, free it here. Any failure before COMMIT
// leaves the request running here; the destination's pre-allocation is freed.
// What the suspended request waits for is kept to one step boundary, the copy of at most
// `last_stage_max_blocks` blocks and the COMMIT riding behind them on a KV connection opened
// before (and reused across migrations): the last stage's blocks are pre-allocated before it
// is suspended.
// The snapshot last stage (`last_stage_mode: 'snapshot'`) does not suspend: it copies the
// blocks of the tokens computed at one instant and COMMITs that snapshot (marked
// `source_continues`) while the request keeps decoding and streaming here, then sends the
// destination every token produced since (snapshot-catch-up.ts) until the manager, having
// switched the client to the destination, stops the request here.
import { blocksFor } from '../../engine/index.ts';
import { createRequestSelector, type SelectorSpecInput } from '../../policies/index.ts';
import type { LLMEngine } from '../engine/llm-engine.ts';
import { migratedState } from '../engine/migrated-state.ts';
import type { RealSequence } from '../engine/real-sequence.ts';
import { KvConnectionPool, type KvConnection } from '../native/index.ts';
import type { InstanceClient } from '../rpc/instance-client.ts';
import type { LastStageTimes, MigrateOutMessage, MigrateOutReply, MigrationOutcome } from '../rpc/messages.ts';
import { encodeKvCommit } from './kv-commit.ts';
import { forwardCatchUp } from './snapshot-catch-up.ts';
import { UNIX_ORIGIN_MS } from '../rpc/machine-clock.ts';

export class OutgoingMigrations {
  readonly #migrating = new Set<string>();

  constructor(
    private readonly engine: LLMEngine,
    private readonly dial: (address: string) => InstanceClient,
    /** KV connections to destinations, kept open across stages and migrations. */
    readonly kv = new KvConnectionPool(),
  ) {}

  /** Closes the idle KV connections (the instance is stopping). */
  close(): void {
    this.kv.close();
  }

  get in_flight(): number {
    return this.#migrating.size;
  }

  async migrateOut(m: MigrateOutMessage): Promise<MigrateOutReply> {
    const t0 = performance.now();
    const reply = (outcome: MigrationOutcome, request_id = '', extra: Partial<MigrateOutReply> = {}): MigrateOutReply => ({
      outcome, request_id, stages: 0, blocks: 0, downtime_ms: 0, total_ms: performance.now() - t0, detail: '', ...extra,
    });
    const mode = m.last_stage_mode ?? '';
    if (mode !== '' && mode !== 'suspend' && mode !== 'snapshot') throw new Error(`MigrateOut: last_stage_mode = ${JSON.stringify(mode)}; expected "suspend" or "snapshot" (or empty: suspend)`);
    const selector = createRequestSelector(JSON.parse(m.selector_json) as SelectorSpecInput);
    const chosen = selector.select(this.engine.runningViews(this.#migrating), { draining: m.draining });
    const request_id = chosen === undefined ? undefined : this.engine.requestIdOf(chosen);
    if (request_id === undefined) return reply('no-request');
    const seq = this.engine.sequence(request_id)!;
    this.#migrating.add(request_id);
    const dst = this.dial(m.dst_address);
    try {
      return await this.#stages(seq, m, dst, t0, reply);
    } finally {
      this.#migrating.delete(request_id);
    }
  }

  async #stages(
    seq: RealSequence,
    m: MigrateOutMessage,
    dst: InstanceClient,
    t0: number,
    reply: (o: MigrationOutcome, id?: string, extra?: Partial<MigrateOutReply>) => MigrateOutReply,
  ): Promise<MigrateOutReply> {
    const id = seq.request_id;
    const pool = this.engine.runner.kvPool;
    const block = this.engine.core.limits.block_size_tokens;
    const epoch = seq.epoch;
    /** Destination blocks reserved for this request and not written yet, in reservation order. */
    const spare: number[] = [];
    let reserved = false;
    let sent = 0;
    let stages = 0;
    let conn: KvConnection | undefined;
    const abort = async (outcome: MigrationOutcome, detail = ''): Promise<MigrateOutReply> => {
      if (seq.status === 'suspended') this.engine.resumeSuspended(id);
      if (conn !== undefined) this.kv.release(conn);
      conn = undefined;
      // A dead destination frees by its watchdog.
      if (reserved) await dst.freePreAlloc(id).catch(() => undefined);
      return reply(outcome, id, { stages, blocks: sent, detail });
    };
    const gone = (): MigrationOutcome | undefined => {
      if (seq.status === 'finished' || seq.abort_requested) return 'aborted-finished';
      if (seq.epoch !== epoch || seq.status === 'waiting') return 'aborted-preempted';
      return undefined;
    };
    /** PRE-ALLOC until `n` blocks are spare on the destination; false when it has no room. */
    const reserve = async (n: number): Promise<boolean> => {
      if (spare.length >= n) return true;
      const first = !reserved;
      reserved = true;
      const ids = await dst.preAlloc(id, n - spare.length);
      if (ids === undefined) return false;
      spare.push(...ids);
      // Blocks wait there now, so an Attach finds the request: the manager may attach ahead.
      if (first) this.engine.announceMigration(id, dst.address);
      return true;
    };
    /** Copies blocks [sent, upTo) into spare destination blocks (reserved before), then the COMMIT if given. */
    const copy = async (upTo: number, commit?: Buffer): Promise<number> => {
      if (upTo <= sent && commit === undefined) return 0;
      if (upTo - sent > spare.length) throw new Error(`internal: ${upTo - sent} blocks to copy but ${spare.length} reserved on the destination`);
      const ids = spare.splice(0, upTo - sent);
      // Full blocks never change while the request runs (KV is append-only); a preemption
      // would free them, which the check after the copy catches.
      const r = await conn!.send(pool, seq.block_table.slice(sent, upTo), ids, commit === undefined ? {} : { commit });
      sent = upTo;
      return r.blocks_acked_ms;
    };
    try {
      const c0 = performance.now();
      const got = await this.kv.acquire(m.dst_kv_host, m.dst_kv_port);
      conn = got.conn;
      const connect_ahead_ms = performance.now() - c0;
      for (;;) {
        const why = gone();
        if (why !== undefined) return await abort(why);
        const left = seq.block_table.length - sent;
        if (left <= m.last_stage_max_blocks) break;
        if (stages + 1 >= m.max_stages) return await abort('aborted-max-stages', `${left} blocks left after ${stages} stages`);
        stages++;
        const upTo = Math.floor(seq.num_computed_tokens / block);
        if (!(await reserve(upTo - sent))) return await abort('aborted-dst-no-memory');
        await copy(upTo);
      }
      // Last stage. Its blocks are reserved before the request stops (with one block of slack:
      // the step in flight may open a block before the suspension takes effect), so while it
      // is suspended only the copy of the last block or two and the COMMIT, one write on an
      // open connection, remain.
      stages++;
      const p0 = performance.now();
      if (!(await reserve(seq.block_table.length - sent + 1))) return await abort('aborted-dst-no-memory');
      const prealloc_ahead_ms = performance.now() - p0;
      // Its full blocks are immutable: they go now, while the request still decodes; only the
      // block being filled (and any the steps since opened) waits for the suspension.
      const f0 = performance.now();
      const before = sent;
      // (Steps since the PreAlloc may have filled more blocks than it reserved: those wait.)
      await copy(Math.min(Math.floor(seq.num_computed_tokens / block), sent + spare.length));
      const copy_ahead_ms = performance.now() - f0;
      const blocks_ahead = sent - before;
      const why = gone();
      if (why !== undefined) return await abort(why);
      if (m.last_stage_mode === 'snapshot') {
        // The snapshot: the request's state now and the blocks of its computed tokens. Nothing
        // awaits between taking it and gathering an inline copy (the forward in flight writes
        // only the position after them); a larger copy is checked for a preemption before
        // the COMMIT follows it. The PreAlloc above may be short by the blocks steps opened since.
        const s0 = performance.now();
        let state = migratedState(seq);
        let upTo = blocksFor(state.num_computed_tokens, block);
        while (upTo - sent > spare.length) {
          if (!(await reserve(upTo - sent + 1))) return await abort('aborted-dst-no-memory');
          const stale = gone();
          if (stale !== undefined) return await abort(stale);
          state = migratedState(seq);
          upTo = blocksFor(state.num_computed_tokens, block);
        }
        const prealloc_ms = performance.now() - s0;
        const snapshotAt = performance.now();
        const blocks = upTo - sent;
        const commit = encodeKvCommit({ state, blocks: upTo, source_continues: true });
        let blocksAcked: number;
        if (pool.copiesInline(blocks)) blocksAcked = await copy(upTo, commit);
        else {
          blocksAcked = await copy(upTo);
          const stale = gone();
          if (stale !== undefined) return await abort(stale);
          await copy(upTo, commit);
        }
        const committedAt = performance.now();
        const copy_ms = blocks === 0 ? 0 : blocksAcked;
        const last_stage: LastStageTimes = {
          suspend_wait_ms: 0, prealloc_ms, connect_ms: 0, copy_ms, commit_ms: committedAt - snapshotAt - copy_ms, blocks,
          committed_unix_ms: UNIX_ORIGIN_MS + committedAt, prealloc_ahead_ms, connect_ahead_ms, connection_reused: got.reused,
          suspended_unix_ms: UNIX_ORIGIN_MS + snapshotAt, copy_ahead_ms, blocks_ahead,
        };
        // Committed there; the request goes on here until the manager stops it.
        const fwd = await forwardCatchUp(this.engine, seq, conn, state.output.output_token_ids.length);
        this.kv.release(conn);
        conn = undefined;
        const extra = { stages, blocks: sent, total_ms: performance.now() - t0, last_stage, catch_up_tokens: fwd.tokens };
        // A destination that failed after the COMMIT: the request simply stayed here (the
        // manager's stream from there broke; its blocks went with it or with its abort).
        if (fwd.failed !== undefined) return reply('aborted-dst-failed', id, { ...extra, detail: `after the snapshot COMMIT: ${fwd.failed}` });
        return reply('committed', id, extra);
      }
      const suspendedAt = performance.now();
      if (!(await this.engine.suspend(id))) return await abort(gone() ?? 'aborted-finished');
      const outOfBatch = performance.now();
      const suspend_wait_ms = outOfBatch - suspendedAt;
      // Downtime starts here. More blocks than reserved (several steps before the suspension
      // took effect on a loaded machine) cost one more PRE-ALLOC round trip.
      const a0 = performance.now();
      if (!(await reserve(seq.block_table.length - sent))) return await abort('aborted-dst-no-memory');
      const prealloc_ms = performance.now() - a0;
      const still = gone();
      if (still !== undefined) return await abort(still);
      const blocks = seq.block_table.length - sent;
      const k0 = performance.now();
      const blocksAcked = await copy(seq.block_table.length, encodeKvCommit({ state: migratedState(seq), blocks: sent + blocks }));
      const committedAt = performance.now();
      this.kv.release(conn);
      conn = undefined;
      this.engine.releaseMigrated(id, dst.address);
      const copy_ms = blocks === 0 ? 0 : blocksAcked;
      const last_stage: LastStageTimes = {
        suspend_wait_ms, prealloc_ms, connect_ms: 0, copy_ms, commit_ms: committedAt - k0 - copy_ms, blocks,
        committed_unix_ms: UNIX_ORIGIN_MS + committedAt, prealloc_ahead_ms, connect_ahead_ms, connection_reused: got.reused,
        suspended_unix_ms: UNIX_ORIGIN_MS + outOfBatch, copy_ahead_ms, blocks_ahead,
      };
      return reply('committed', id, { stages, blocks: sent, downtime_ms: committedAt - suspendedAt, total_ms: performance.now() - t0, last_stage });
    } catch (err) {
      return abort('aborted-dst-failed', err instanceof Error ? err.message : String(err));
    }
  }
}
