import type { FinishReason, GenerationDelta } from '../engine/types.ts';
import { ApiError } from './errors.ts';
import type { ApiMetrics } from './metrics.ts';
import type { Prepared } from './prepare.ts';

/** What a response's `usage` reports. */
export interface Usage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
}

/**
 * Runs one prepared request on its engine and feeds the request metrics as deltas arrive:
 * TTFT at the first delta with tokens, one inter-token gap per later delta, E2E and TPOT at the
 * end. Times are taken from `arrival_ms`, when the API received the request.
 */
export class TrackedGeneration {
  readonly #prepared: Prepared;
  readonly #metrics: ApiMetrics;
  readonly #arrival_ms: number;
  #first_ms: number | undefined;
  #last_ms: number | undefined;
  #completion_tokens = 0;
  #finish: FinishReason | undefined;

  constructor(prepared: Prepared, metrics: ApiMetrics, arrival_ms: number) {
    this.#prepared = prepared;
    this.#metrics = metrics;
    this.#arrival_ms = arrival_ms;
  }

  get usage(): Usage {
    const prompt_tokens = this.#prepared.request.prompt_token_ids.length;
    return { prompt_tokens, completion_tokens: this.#completion_tokens, total_tokens: prompt_tokens + this.#completion_tokens };
  }

  /** The engine's deltas; ends after the one carrying finish_reason. An aborted signal ends it with 'abort'. */
  async *run(signal: AbortSignal): AsyncGenerator<GenerationDelta> {
    const { engine, model, request } = this.#prepared;
    this.#metrics.admitted(model, request.prompt_token_ids.length);
    try {
      for await (const delta of engine.generate(request, signal)) {
        this.#observe(delta);
        yield delta;
        if (delta.finish_reason !== undefined) {
          this.#finish = delta.finish_reason;
          return;
        }
      }
      // An engine whose stream ends without a finish_reason only may do so when aborted.
      if (!signal.aborted) throw new ApiError('server_error', `engine for ${model} ended request ${request.request_id} without a finish_reason`);
      this.#finish = 'abort';
    } finally {
      const finish = this.#finish ?? 'abort';
      const end_ms = this.#last_ms ?? performance.now();
      const gaps = this.#completion_tokens - 1;
      const tpot_s = gaps > 0 && this.#first_ms !== undefined && this.#last_ms !== undefined ? (this.#last_ms - this.#first_ms) / 1e3 / gaps : undefined;
      this.#metrics.finished(model, finish, (end_ms - this.#arrival_ms) / 1e3, tpot_s);
    }
  }

  #observe(delta: GenerationDelta): void {
    const now = performance.now();
    const model = this.#prepared.model;
    if (delta.queue_time_s !== undefined) this.#metrics.queued(model, delta.queue_time_s);
    if (delta.token_ids.length === 0) return;
    const gap_s = this.#last_ms === undefined ? undefined : (now - this.#last_ms) / 1e3;
    if (this.#first_ms === undefined) {
      this.#first_ms = now;
      this.#metrics.firstToken(model, (now - this.#arrival_ms) / 1e3);
    }
    this.#last_ms = now;
    this.#completion_tokens += delta.token_ids.length;
    this.#metrics.tokens(model, delta.token_ids.length, gap_s);
  }
}
