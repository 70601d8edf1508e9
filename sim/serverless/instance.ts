/**
 * An inference instance of one model on some GPUs of one node. Like a vLLM engine with
 * `max_num_seqs = capacity`: each iteration is prefill-only (for requests whose KV cache does
 * not cover their tokens: new prompts, or requests that arrived by migration) or decode-only,
 * and emits one token per request in it. `freeze` cancels the iteration in flight — its tokens
 * were never emitted, so nothing is lost or duplicated when another instance takes over.
 */
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

export class ServerlessInstance {
  state: InstanceState = 'waiting';
  readonly requests: ServerlessRequest[] = [];
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
  ) {}

  get serving(): boolean {
    return this.state === 'ready' || this.state === 'migrating';
  }

  add(request: ServerlessRequest): void {
    request.instance = this.id;
    this.requests.push(request);
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
    if (this.#stepping || !this.serving || this.requests.length === 0) return;
    this.#stepping = true;
    const epoch = this.#epoch;
    const prefill = this.requests.filter((r) => r.kv_tokens < r.length_tokens);
    const batch = prefill.length > 0 ? prefill : [...this.requests];
    const ms =
      prefill.length > 0
        ? this.model.perf.prefill_ms(prefill.map((r) => r.length_tokens - r.kv_tokens))
        : this.model.perf.decode_ms(batch.length, batch.reduce((sum, r) => sum + r.length_tokens, 0));
    checkedLatency(this.model.perf.name, prefill.length > 0 ? 'prefill' : 'decode', ms);
    this.sim.after(ms / 1e3, Band.stepEnd, () => {
      if (epoch !== this.#epoch) return;
      const finished: ServerlessRequest[] = [];
      for (const request of batch) {
        request.emit(this.sim.now_s, this.id);
        // The KV of the token just sampled is written by the next decode, as in a real engine.
        request.kv_tokens = request.length_tokens;
        if (request.done) {
          this.requests.splice(this.requests.indexOf(request), 1);
          finished.push(request);
        }
      }
      this.#stepping = false;
      // Hooks run after the iteration is complete: they may hand this instance new requests.
      for (const request of finished) this.hooks.finished(request, this);
      if (this.requests.length === 0) this.hooks.idle(this);
      else this.kick();
    });
  }
}
