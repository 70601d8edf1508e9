// The manager's handle on one instance process: its requests over gRPC (cancelling a call
// aborts the request there) and its stream of step reports.
import * as grpc from '@grpc/grpc-js';
import { AsyncQueue } from '../engine/async-queue.ts';
import type { GenerationDelta, GenerationRequest } from '../engine/types.ts';
import { instanceService } from './load-proto.ts';
import { fromDeltaMessage, toGenerateMessage, type DeltaMessage, type ReportMessage } from './messages.ts';

/** proto-loader's dynamic client: one method per rpc of instance.proto. */
type DynamicClient = grpc.Client & Record<string, (...args: unknown[]) => grpc.ClientReadableStream<unknown>>;

export class InstanceClient {
  readonly #client: DynamicClient;
  #reports: grpc.ClientReadableStream<unknown> | undefined;

  constructor(readonly address: string) {
    const { Client } = instanceService();
    this.#client = new Client(address, grpc.credentials.createInsecure()) as unknown as DynamicClient;
  }

  generate(request: GenerationRequest, signal?: AbortSignal): AsyncIterable<GenerationDelta> {
    const queue = new AsyncQueue<GenerationDelta>();
    const call = this.#client['Generate']!(toGenerateMessage(request)) as grpc.ClientReadableStream<DeltaMessage>;
    const cancel = (): void => call.cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    let finished = false;
    call.on('data', (m: DeltaMessage) => {
      const d = fromDeltaMessage(request.request_id, m);
      if (d.finish_reason !== undefined) finished = true;
      queue.push(d);
    });
    call.on('end', () => queue.close(finished ? undefined : new Error(`instance ${this.address} ended request ${request.request_id} without a finish reason`)));
    call.on('error', (err: grpc.ServiceError) => {
      signal?.removeEventListener('abort', cancel);
      if (err.code === grpc.status.CANCELLED && signal?.aborted === true) {
        queue.push({ request_id: request.request_id, token_ids: [], text: '', finish_reason: 'abort' });
        queue.close();
      } else queue.close(new Error(`instance ${this.address}: ${err.details || err.message}`));
    });
    return queue;
  }

  /** Subscribes to the instance's step reports; `onEnd` runs when the stream breaks (process gone). */
  subscribeReports(onReport: (r: ReportMessage) => void, onEnd: (err?: Error) => void): void {
    const call = this.#client['Reports']!({});
    this.#reports = call;
    call.on('data', (m: unknown) => onReport(m as ReportMessage));
    call.on('error', (err: grpc.ServiceError) => {
      if (err.code !== grpc.status.CANCELLED) onEnd(err);
    });
    call.on('end', () => onEnd());
  }

  async shutdown(): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      (this.#client as unknown as { Shutdown: (req: unknown, cb: (err: grpc.ServiceError | null) => void) => void }).Shutdown({}, (err) => (err ? reject(err) : resolve())),
    );
  }

  close(): void {
    this.#reports?.cancel();
    this.#client.close();
  }
}
