/**
 * Token-based live migration of a running instance (ServerlessLLM §6). The destination loads
 * the model; then, round after round, the source sends the tokens so far (prompt + generated)
 * and the destination recomputes their KV cache (a prefill of the tokens it lacks) while the
 * source keeps decoding. Once a round ends with at most `delta_tokens` new tokens (or after
 * `max_rounds`), the source stops — its in-flight iteration is discarded, so every token was
 * emitted exactly once — its GPUs are released, the destination recomputes the last delta and
 * continues the streams. A failed destination load leaves the source serving; requests that
 * finish on the source meanwhile are simply done.
 */
import { Band, type Simulation } from '../kernel/index.ts';
import type { ServerlessConfig } from './config.ts';
import type { ServerlessInstance } from './instance.ts';
import type { ServerlessRequest } from './request.ts';

export type MigrationEvent =
  | { readonly kind: 'plan'; readonly time_s: number; readonly source: number; readonly source_node: number; readonly target_node: number; readonly tokens: number; readonly estimate_s: number }
  | { readonly kind: 'destination-loaded'; readonly time_s: number; readonly destination: number }
  | { readonly kind: 'round'; readonly time_s: number; readonly round: number; readonly tokens: number; readonly recompute_tokens: number; readonly recompute_s: number }
  | { readonly kind: 'round-done'; readonly time_s: number; readonly round: number; readonly delta_tokens: number }
  | { readonly kind: 'stop'; readonly time_s: number; readonly remaining_tokens: number; readonly kv_bytes_not_sent: number }
  | { readonly kind: 'switched'; readonly time_s: number; readonly source: number; readonly destination: number; readonly downtime_s: number }
  | { readonly kind: 'finished-on-source'; readonly time_s: number; readonly source: number }
  | { readonly kind: 'aborted'; readonly time_s: number; readonly source: number; readonly reason: string };

/** What the migration needs from the cluster. */
export interface MigrationPort {
  readonly sim: Simulation;
  /** Queue the destination's load; `done(ok)` when it ends. */
  load(instance: ServerlessInstance, done: (ok: boolean) => void): void;
  /** The source stopped for good: free its GPUs (the new instance may be waiting for them). */
  sourceStopped(source: ServerlessInstance): void;
  /** The destination now serves the migrated requests (or is a warm idle instance). */
  destinationReady(source: ServerlessInstance, destination: ServerlessInstance): void;
  /** Destination failed: release it; the source goes back to plain serving. */
  aborted(source: ServerlessInstance, destination: ServerlessInstance): void;
  record(event: MigrationEvent): void;
}

export class TokenMigration {
  /** Per request: tokens whose KV the destination already holds. */
  readonly #covered = new Map<ServerlessRequest, number>();
  #round = 0;

  constructor(
    readonly source: ServerlessInstance,
    readonly destination: ServerlessInstance,
    private readonly params: ServerlessConfig['migration'],
    private readonly port: MigrationPort,
  ) {}

  start(): void {
    this.source.state = 'migrating';
    this.port.load(this.destination, (ok) => {
      if (!ok) return this.#abort('destination load failed');
      this.port.record({ kind: 'destination-loaded', time_s: this.port.sim.now_s, destination: this.destination.id });
      this.#nextRound();
    });
  }

  #live(): ServerlessRequest[] {
    return this.source.requests.filter((r) => !r.done);
  }

  #nextRound(): void {
    const live = this.#live();
    if (live.length === 0) return this.#finishedOnSource();
    const snapshot = new Map(live.map((r) => [r, r.length_tokens] as const));
    const missing = live.map((r) => (snapshot.get(r) ?? 0) - (this.#covered.get(r) ?? 0));
    const recompute_s = this.destination.model.perf.prefill_ms(missing) / 1e3 + this.params.round_overhead_s;
    const round = this.#round++;
    const tokens = live.reduce((s, r) => s + r.length_tokens, 0);
    this.port.record({ kind: 'round', time_s: this.port.sim.now_s, round, tokens, recompute_tokens: missing.reduce((a, b) => a + b, 0), recompute_s });
    this.port.sim.after(recompute_s, Band.migration, () => {
      for (const [r, n] of snapshot) this.#covered.set(r, n);
      const still = this.#live();
      if (still.length === 0) return this.#finishedOnSource();
      const delta = still.reduce((s, r) => s + r.length_tokens - (this.#covered.get(r) ?? 0), 0);
      this.port.record({ kind: 'round-done', time_s: this.port.sim.now_s, round, delta_tokens: delta });
      if (delta <= this.params.delta_tokens || this.#round >= this.params.max_rounds) this.#final();
      else this.#nextRound();
    });
  }

  #final(): void {
    this.source.freeze();
    const moving = this.source.takeAll();
    const deltas = moving.map((r) => r.length_tokens - (this.#covered.get(r) ?? 0));
    const remaining = deltas.reduce((a, b) => a + b, 0);
    const kvBytes = moving.reduce((s, r) => s + r.length_tokens, 0) * this.source.model.kv_bytes_per_token;
    this.port.record({ kind: 'stop', time_s: this.port.sim.now_s, remaining_tokens: remaining, kv_bytes_not_sent: kvBytes });
    this.port.sourceStopped(this.source);
    const downtime_s = (remaining > 0 ? this.destination.model.perf.prefill_ms(deltas.filter((d) => d > 0)) / 1e3 : 0) + this.params.round_overhead_s;
    this.port.sim.after(downtime_s, Band.migration, () => {
      this.destination.state = 'ready';
      this.destination.ready_s = this.port.sim.now_s;
      for (const r of moving) {
        r.migrations++;
        this.destination.addMigrated(r);
      }
      this.port.record({ kind: 'switched', time_s: this.port.sim.now_s, source: this.source.id, destination: this.destination.id, downtime_s });
      this.port.destinationReady(this.source, this.destination);
    });
  }

  /** Nothing left to move: the source leaves, the destination stays as a warm instance. */
  #finishedOnSource(): void {
    this.port.record({ kind: 'finished-on-source', time_s: this.port.sim.now_s, source: this.source.id });
    this.source.freeze();
    this.port.sourceStopped(this.source);
    this.destination.state = 'ready';
    this.destination.ready_s = this.port.sim.now_s;
    this.port.destinationReady(this.source, this.destination);
  }

  #abort(reason: string): void {
    this.port.record({ kind: 'aborted', time_s: this.port.sim.now_s, source: this.source.id, reason });
    if (this.source.state === 'migrating') {
      this.source.state = 'ready';
      this.source.kick();
    }
    this.port.aborted(this.source, this.destination);
  }
}
