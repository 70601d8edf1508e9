// The manager side of an instance's Outputs stream: one subscription per instance carries a
// batch of deltas per engine step, and this splits it into one stream per request. A request
// ends with its finish_reason or migrated_to delta; when the subscription breaks (the process
// died, or the instance was abandoned) every open request fails, which the fleet reads as a
// dead instance and resumes those requests elsewhere.
import { randomUUID } from 'node:crypto';
import type * as grpc from '@grpc/grpc-js';
import { AsyncQueue } from '../engine/async-queue.ts';
import type { GenerationDelta } from '../engine/types.ts';
import { fromOutputBatch, type OutputBatchMessage } from './output-batch.ts';

export class OutputStreams {
  /** Named in Submit and Attach so that the instance sends their deltas to this subscription. */
  readonly subscriber = randomUUID();
  readonly #open = new Map<string, AsyncQueue<GenerationDelta>>();
  #call: grpc.ClientReadableStream<OutputBatchMessage> | undefined;

  /**
   * @param address the instance's, for error messages
   * @param subscribe starts the Outputs call
   */
  constructor(readonly address: string, readonly subscribe: (subscriber: string) => grpc.ClientReadableStream<OutputBatchMessage>) {}

  /**
   * A request's stream: `start` asks the instance to run it (Submit or Attach) and rejects if
   * it refuses; `abort` tells the instance to stop it when `signal` fires (the stream then
   * ends at once with an "abort" delta, as a cancelled call did).
   */
  open(request_id: string, start: () => Promise<unknown>, abort: () => Promise<unknown>, signal?: AbortSignal): AsyncIterable<GenerationDelta> {
    const queue = new AsyncQueue<GenerationDelta>();
    this.#open.get(request_id)?.close(new Error(`instance ${this.address}: request ${request_id} was started again while its stream was open`));
    this.#open.set(request_id, queue);
    this.#ensureSubscribed();
    const onAbort = (): void => {
      if (this.#open.get(request_id) !== queue) return;
      this.#open.delete(request_id);
      queue.push({ request_id, token_ids: [], text: '', finish_reason: 'abort' });
      queue.close();
      void abort().catch(() => undefined);
    };
    if (signal?.aborted === true) {
      onAbort();
      return queue;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    start().catch((err: unknown) => {
      signal?.removeEventListener('abort', onAbort);
      if (this.#open.get(request_id) !== queue) return;
      this.#open.delete(request_id);
      queue.close(err);
    });
    return queue;
  }

  /** Fails every open request and drops the subscription (a later request subscribes again). */
  breakAll(why: string): void {
    this.#call?.cancel();
    this.#call = undefined;
    this.#failAll(why);
  }

  #failAll(why: string): void {
    const open = [...this.#open.entries()];
    this.#open.clear();
    for (const [request_id, queue] of open) queue.close(new Error(`instance ${this.address}: ${why} (request ${request_id})`));
  }

  #ensureSubscribed(): void {
    if (this.#call !== undefined) return;
    const call = this.subscribe(this.subscriber);
    this.#call = call;
    call.on('data', (batch: OutputBatchMessage) => {
      let entries;
      try {
        entries = fromOutputBatch(batch);
      } catch (err) {
        this.breakAll(err instanceof Error ? err.message : String(err));
        return;
      }
      for (const entry of entries) {
        const queue = this.#open.get(entry.request_id);
        if (queue === undefined) continue; // aborted here already
        if (entry.delta === undefined) {
          this.#open.delete(entry.request_id);
          queue.close(new Error(`instance ${this.address}: ${entry.error}`));
          continue;
        }
        queue.push(entry.delta);
        if (entry.delta.finish_reason !== undefined || entry.delta.migrated_to !== undefined) {
          this.#open.delete(entry.request_id);
          queue.close();
        }
      }
    });
    const ended = (why: string): void => {
      if (this.#call !== call) return;
      this.#call = undefined;
      this.#failAll(why);
    };
    call.on('error', (err: grpc.ServiceError) => ended(`output stream failed: ${err.details || err.message}`));
    call.on('end', () => ended('output stream ended before the request finished'));
  }
}
