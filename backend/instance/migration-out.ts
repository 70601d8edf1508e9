// The source's side of a live migration (Llumnix's migration coordinator on the llumlet): pick
// a running request with the source's selector, copy its full KV blocks in stages while it keeps
// decoding, suspend it at a step boundary for the last stage, copy the rest, COMMIT on the
// destination with its tokens and sampling state, free it here. Any failure before COMMIT
// leaves the request running here; the destination's pre-allocation is freed.
import { createRequestSelector, type SelectorSpecInput } from '../../policies/index.ts';
import type { LLMEngine } from '../engine/llm-engine.ts';
import { migratedState } from '../engine/migrated-state.ts';
import type { RealSequence } from '../engine/real-sequence.ts';
import { sendBlocks } from '../native/index.ts';
import type { InstanceClient } from '../rpc/instance-client.ts';
import type { MigrateOutMessage, MigrateOutReply, MigrationOutcome } from '../rpc/messages.ts';

export class OutgoingMigrations {
  readonly #migrating = new Set<string>();

  constructor(
    private readonly engine: LLMEngine,
    private readonly dial: (address: string) => InstanceClient,
  ) {}

  get in_flight(): number {
    return this.#migrating.size;
  }

  async migrateOut(m: MigrateOutMessage): Promise<MigrateOutReply> {
    const t0 = performance.now();
    const reply = (outcome: MigrationOutcome, request_id = '', extra: Partial<MigrateOutReply> = {}): MigrateOutReply => ({
      outcome, request_id, stages: 0, blocks: 0, downtime_ms: 0, total_ms: performance.now() - t0, detail: '', ...extra,
    });
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
    const dstIds: number[] = [];
    let sent = 0;
    let stages = 0;
    const abort = async (outcome: MigrationOutcome, detail = ''): Promise<MigrateOutReply> => {
      await dst.freePreAlloc(id).catch(() => undefined); // a dead destination frees by its watchdog
      if (seq.status === 'suspended') this.engine.resumeSuspended(id);
      return reply(outcome, id, { stages, blocks: sent, detail });
    };
    const gone = (): MigrationOutcome | undefined => {
      if (seq.status === 'finished' || seq.abort_requested) return 'aborted-finished';
      if (seq.epoch !== epoch || seq.status === 'waiting') return 'aborted-preempted';
      return undefined;
    };
    const copy = async (upTo: number): Promise<MigrationOutcome | undefined> => {
      const n = upTo - sent;
      if (n <= 0) return undefined;
      const ids = await dst.preAlloc(id, n);
      if (ids === undefined) return 'aborted-dst-no-memory';
      dstIds.push(...ids);
      // Full blocks never change while the request runs (KV is append-only); a preemption
      // would free them, which the check after the copy catches.
      await sendBlocks(pool, seq.block_table.slice(sent, upTo), ids, { host: m.dst_kv_host, port: m.dst_kv_port });
      sent = upTo;
      return undefined;
    };
    try {
      for (;;) {
        const why = gone();
        if (why !== undefined) return await abort(why);
        const left = seq.block_table.length - sent;
        if (left <= m.last_stage_max_blocks) break;
        if (stages + 1 >= m.max_stages) return await abort('aborted-max-stages', `${left} blocks left after ${stages} stages`);
        stages++;
        const failed = await copy(Math.floor(seq.num_computed_tokens / block));
        if (failed !== undefined) return await abort(failed);
      }
      // Last stage: the request stops decoding here (downtime starts) and the rest is copied.
      stages++;
      const suspendedAt = performance.now();
      if (!(await this.engine.suspend(id))) return await abort(gone() ?? 'aborted-finished');
      const failed = await copy(seq.block_table.length);
      if (failed !== undefined) return await abort(failed);
      const why = gone();
      if (why !== undefined) return await abort(why);
      const commit = await dst.commit(id, JSON.stringify(migratedState(seq)));
      if (!commit.ok) return await abort('aborted-dst-failed', commit.detail);
      this.engine.releaseMigrated(id, dst.address);
      return reply('committed', id, { stages, blocks: sent, downtime_ms: performance.now() - suspendedAt, total_ms: performance.now() - t0 });
    } catch (err) {
      return abort('aborted-dst-failed', err instanceof Error ? err.message : String(err));
    }
  }
}
