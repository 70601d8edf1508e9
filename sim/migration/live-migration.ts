import { planIncludes } from '../../engine/index.ts';
import { Band, type Simulation } from '../kernel/index.ts';
import type { SimInstance, SimRequest } from '../instance/index.ts';
import type { CopyModel } from '../perf/index.ts';
import type { AbortReason, MigrationParams, MigrationRecord } from './params.ts';

/** What a migration needs from the cluster around it. */
export interface MigrationContext {
  readonly sim: Simulation;
  readonly params: MigrationParams;
  readonly copy: CopyModel;
  /** Starts the instance's next iteration if it is idle. */
  kick(instance: SimInstance): void;
  /** The instance's engine or migration counts change now (the cluster's live view re-takes it). */
  touched(instance: SimInstance): void;
  /** Called once per migration when it commits or aborts. */
  done(record: MigrationRecord, request: SimRequest): void;
}

/**
 * Multi-stage live migration of one running request (PRE-ALLOC / ABORT / COMMIT):
 * the KV cache is copied in stages while the request keeps decoding on the source; each stage
 * first reserves its blocks on the destination; once the remainder is small the request is
 * suspended (its downtime) and the rest is copied; COMMIT moves it to the destination's batch.
 * A copy whose request finished or was preempted meanwhile, or a destination out of blocks,
 * aborts and frees every reservation; the request stays served on the source.
 */
export class LiveMigration {
  readonly #id: number;
  readonly #started_s: number;
  readonly #epoch: number;
  #stage = 0;
  #sent = 0;
  /** Block ids pre-allocated on the destination so far (every stage's). */
  readonly #reserved: number[] = [];
  #suspended_s: number | undefined;

  constructor(
    private readonly ctx: MigrationContext,
    private readonly request: SimRequest,
    private readonly src: SimInstance,
    private readonly dst: SimInstance,
  ) {
    this.#id = ctx.sim.nextId('migration');
    this.#started_s = ctx.sim.now_s;
    this.#epoch = request.epoch;
    request.migrating = true;
    src.migrations_out++;
    dst.migrations_in++;
    ctx.touched(src);
    ctx.touched(dst);
    const control_ms = ctx.params.control_ms ?? 0;
    if (control_ms > 0) ctx.sim.after(control_ms / 1e3, Band.migration, () => this.nextStage());
    else this.nextStage();
  }

  private nextStage(): void {
    const { params } = this.ctx;
    const r = this.request;
    if (r.phase === 'finished') return this.abort('request-finished');
    if (r.epoch !== this.#epoch || r.phase !== 'running') return this.abort('request-preempted');
    const remaining = r.blocks - this.#sent;
    const lastAllowed = this.#stage === params.max_stages - 1;
    // Stage 0 leaves out the last block: the running request is still writing it.
    const liveBlocks = this.#stage === 0 ? remaining - 1 : remaining;
    const suspend =
      params.max_stages === 1 ||
      (this.#stage > 0 && remaining <= params.last_stage_max_blocks) ||
      liveBlocks <= 0;
    if (!suspend && lastAllowed) return this.abort('max-stages');
    const inFlight = this.src.current;
    if (suspend && inFlight !== undefined && planIncludes(inFlight, r)) {
      // Suspension happens between iterations: wait for the source's step to end.
      this.ctx.sim.at(this.src.current_end_s, Band.migration, () => this.nextStage());
      return;
    }
    const blocks = suspend ? remaining : liveBlocks;
    if (!this.reserve(blocks)) return this.abort('dst-no-memory');
    if (suspend) this.suspend();
    this.#stage++;
    this.ctx.sim.after(this.ctx.copy.stage_ms(blocks) / 1e3, Band.migration, () => {
      this.#sent += blocks;
      if (suspend) this.commit();
      else this.nextStage();
    });
  }

  /** PRE-ALLOC on the destination, under its watermark. */
  private reserve(blocks: number): boolean {
    const ids = this.dst.engine.reserve(blocks);
    this.ctx.touched(this.dst);
    if (ids === undefined) return false;
    for (const id of ids) this.#reserved.push(id);
    return true;
  }

  private suspend(): void {
    this.src.engine.suspend(this.request);
    this.ctx.touched(this.src);
    this.#suspended_s = this.ctx.sim.now_s;
  }

  /** The source frees the request's blocks; the destination runs it on the copied ones. */
  private commit(): void {
    const r = this.request;
    this.src.engine.releaseSuspended(r);
    this.dst.engine.commitIncoming(r, this.#reserved);
    this.#reserved.length = 0;
    r.instance = this.dst.id;
    r.migrations++;
    if (r.priority === 'high') {
      this.src.high_priority--;
      this.dst.high_priority++;
    }
    this.finish('committed', undefined);
    this.ctx.kick(this.dst);
    this.ctx.kick(this.src);
  }

  private abort(reason: AbortReason): void {
    this.dst.engine.releaseReservation(this.#reserved);
    this.#reserved.length = 0;
    this.finish('aborted', reason);
  }

  private finish(status: MigrationRecord['status'], reason: AbortReason | undefined): void {
    const now = this.ctx.sim.now_s;
    this.request.migrating = false;
    this.src.migrations_out--;
    this.dst.migrations_in--;
    this.ctx.touched(this.src);
    this.ctx.touched(this.dst);
    this.ctx.done(
      {
        id: this.#id,
        request: this.request.id,
        from: this.src.id,
        to: this.dst.id,
        started_s: this.#started_s,
        ended_s: now,
        status,
        reason,
        stages: this.#stage,
        blocks_copied: this.#sent,
        downtime_s: this.#suspended_s === undefined ? 0 : now - this.#suspended_s,
      },
      this.request,
    );
  }
}
