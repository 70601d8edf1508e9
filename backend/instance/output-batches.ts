// The instance side of the Outputs stream: the deltas of every request a subscriber (the
// manager) started here leave as one gRPC message per engine step instead of one message per
// token and request. At 64 concurrent streams a message per token cost the instance process
// more CPU than the tiny model's forward pass (bench:serve section 2); one per step costs a
// serialisation of the step's deltas and one write.
import type * as grpc from '@grpc/grpc-js';
import type { GenerationDelta } from '../engine/types.ts';
import { toOutputBatch, type OutputBatchMessage, type OutputEntry } from '../rpc/output-batch.ts';

interface Subscriber {
  call: grpc.ServerWritableStream<unknown, OutputBatchMessage> | undefined;
  /** Deltas not yet written (all of them until the subscriber's stream arrives). */
  pending: OutputEntry[];
  flushing: boolean;
  /** Requests whose deltas go to this subscriber and have not ended. */
  readonly requests: Set<string>;
}

export class OutputBatches {
  readonly #subscribers = new Map<string, Subscriber>();

  /**
   * @param abort aborts a request here (a subscriber that goes away takes its requests with it,
   *   as a cancelled per-request call did)
   */
  constructor(readonly abort: (request_id: string) => void) {}

  /** The subscriber's stream: what was buffered for it goes out now, then a batch per step. */
  subscribe(id: string, call: grpc.ServerWritableStream<unknown, OutputBatchMessage>): void {
    const sub = this.#subscriber(id);
    if (sub.call !== undefined) sub.call.end();
    sub.call = call;
    const gone = (): void => {
      if (sub.call !== call) return;
      sub.call = undefined;
      this.#subscribers.delete(id);
      for (const request_id of sub.requests) this.abort(request_id);
      sub.requests.clear();
    };
    call.on('cancelled', gone);
    call.on('close', gone);
    call.on('error', gone);
    this.#schedule(sub);
  }

  /**
   * Sends `stream`'s deltas to subscriber `id` until it ends. A stream that throws (the engine
   * step failed) ends with an error entry, which the subscriber turns into a failed request.
   */
  forward(id: string, request_id: string, stream: AsyncIterable<GenerationDelta>): void {
    const sub = this.#subscriber(id);
    sub.requests.add(request_id);
    void (async () => {
      try {
        for await (const d of stream) this.#push(sub, { request_id, delta: d });
      } catch (err) {
        this.#push(sub, { request_id, error: err instanceof Error ? err.message : String(err) });
      } finally {
        sub.requests.delete(request_id);
      }
    })();
  }

  /** Ends request `request_id` of subscriber `id` with an error entry (the engine refused it). */
  fail(id: string, request_id: string, error: string): void {
    this.#push(this.#subscriber(id), { request_id, error });
  }

  /** Ends every subscriber's stream (the server is stopping). */
  close(): void {
    for (const sub of this.#subscribers.values()) sub.call?.end();
    this.#subscribers.clear();
  }

  #subscriber(id: string): Subscriber {
    let sub = this.#subscribers.get(id);
    if (sub === undefined) this.#subscribers.set(id, (sub = { call: undefined, pending: [], flushing: false, requests: new Set() }));
    return sub;
  }

  #push(sub: Subscriber, entry: OutputEntry): void {
    sub.pending.push(entry);
    this.#schedule(sub);
  }

  /**
   * Writes on the next turn of the event loop: the engine pushes a step's deltas together and
   * their consumers run as microtasks right after, so everything one step produced is pending
   * by then, while the next step's forward pass is still running.
   */
  #schedule(sub: Subscriber): void {
    if (sub.flushing || sub.call === undefined || sub.pending.length === 0) return;
    sub.flushing = true;
    setImmediate(() => {
      sub.flushing = false;
      if (sub.call === undefined || sub.pending.length === 0) return;
      const entries = sub.pending;
      sub.pending = [];
      sub.call.write(toOutputBatch(entries));
    });
  }
}
