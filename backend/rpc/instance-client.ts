// The manager's handle on one instance process: its requests over gRPC (their outputs on one
// batched stream, output-streams.ts; an aborted signal aborts the request there) and its
// stream of step reports.
import * as grpc from '@grpc/grpc-js';
import type { OutputBatchMessage } from './output-batch.ts';
import { OutputStreams } from './output-streams.ts';
import type { GenerationDelta, GenerationRequest } from '../engine/types.ts';
import { instanceService } from './load-proto.ts';
import { toGenerateMessage, type CurrentTokensReply, type MigrateOutMessage, type MigrateOutReply, type MigrateTokensOutReply, type PrefillTokensReply, type ReportMessage } from './messages.ts';

/** proto-loader's dynamic client: one method per rpc of instance.proto. */
type DynamicClient = grpc.Client & Record<string, (...args: unknown[]) => grpc.ClientReadableStream<unknown>>;

export class InstanceClient {
  readonly #client: DynamicClient;
  #reports: grpc.ClientReadableStream<unknown> | undefined;
  /** Where requests are submitted (Submits); undefined until the first, and after it broke. */
  #submits: grpc.ClientWritableStream<unknown> | undefined;
  /** Every request's output, from one Outputs subscription. */
  readonly #outputs: OutputStreams;

  constructor(readonly address: string) {
    const { Client } = instanceService();
    this.#client = new Client(address, grpc.credentials.createInsecure()) as unknown as DynamicClient;
    this.#outputs = new OutputStreams(address, (subscriber) => this.#client['Outputs']!({ subscriber }) as grpc.ClientReadableStream<OutputBatchMessage>);
  }

  generate(request: GenerationRequest, signal?: AbortSignal): AsyncIterable<GenerationDelta> {
    const id = request.request_id;
    return this.#outputs.open(id, () => this.#submit(request), () => this.#abort(id), signal);
  }

  /**
   * Sends the request on this client's one Submits stream (opened on first use). A refusal
   * comes back as the request's error entry on Outputs; a Submits stream that fails loses what
   * was sent on it, so every open request fails as when Outputs breaks (the fleet then checks
   * whether the instance died).
   */
  #submit(request: GenerationRequest): Promise<void> {
    let call = this.#submits;
    if (call === undefined) {
      const opened = this.#client['Submits']!((err: grpc.ServiceError | null) => {
        if (this.#submits !== opened) return;
        this.#submits = undefined;
        if (err !== null && err.code !== grpc.status.CANCELLED) this.#outputs.breakAll(`submit stream failed: ${err.details || err.message}`);
      }) as unknown as grpc.ClientWritableStream<unknown>;
      this.#submits = call = opened;
    }
    call.write({ subscriber: this.#outputs.subscriber, request: toGenerateMessage(request) });
    return Promise.resolve();
  }

  /** The output of a request committed on this instance by a migration. */
  attach(request_id: string, signal?: AbortSignal): AsyncIterable<GenerationDelta> {
    return this.#outputs.open(request_id, () => this.#unary('Attach', { subscriber: this.#outputs.subscriber, request_id }), () => this.#abort(request_id), signal);
  }

  /** Stops the request here (Abort); its open stream, if any, ends with its "abort" delta. */
  abort(request_id: string): Promise<unknown> {
    return this.#abort(request_id);
  }

  #abort(request_id: string): Promise<unknown> {
    return this.#unary('Abort', { request_id });
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

  /** Manager → source: migrate one running request (chosen by the source's selector) to a destination. */
  migrateOut(m: MigrateOutMessage): Promise<MigrateOutReply> {
    return this.#unary<MigrateOutReply>('MigrateOut', m);
  }

  /** Source → destination: PRE-ALLOC; undefined when the destination has no room. */
  async preAlloc(request_id: string, blocks: number): Promise<number[] | undefined> {
    const r = await this.#unary<{ ok: boolean; block_ids: number[] }>('PreAlloc', { request_id, blocks });
    return r.ok ? r.block_ids : undefined;
  }

  async freePreAlloc(request_id: string): Promise<void> {
    await this.#unary('FreePreAlloc', { request_id });
  }

  // ---- Token-based live migration (ServerlessLLM §6) ----

  /** Manager → source: the request's tokens so far (not running: `running` false). */
  currentTokens(request_id: string): Promise<CurrentTokensReply> {
    return this.#unary('CurrentTokens', { request_id });
  }

  /** Manager → destination: one round, the KV of `token_ids` into the prefix cache. */
  prefillTokens(round_id: string, token_ids: readonly number[]): Promise<PrefillTokensReply> {
    return this.#unary('PrefillTokens', { round_id, token_ids: [...token_ids] });
  }

  /** Manager → source: stop the request and hand it to `dst_address` by its tokens. */
  migrateTokensOut(request_id: string, dst_address: string): Promise<MigrateTokensOutReply> {
    return this.#unary('MigrateTokensOut', { request_id, dst_address });
  }

  /** Source → destination: the request continues there from its tokens and sampling state. */
  commitTokens(request_id: string, state_json: string): Promise<{ ok: boolean; detail: string }> {
    return this.#unary('CommitTokens', { request_id, state_json });
  }

  #unary<T>(method: string, request: unknown): Promise<T> {
    const fn = (this.#client as unknown as Record<string, (req: unknown, cb: (err: grpc.ServiceError | null, res: T) => void) => void>)[method]!;
    return new Promise<T>((resolve, reject) =>
      fn.call(this.#client, request, (err, res) => (err ? reject(new Error(`instance ${this.address} ${method}: ${err.details || err.message}`)) : resolve(res))),
    );
  }

  async shutdown(): Promise<void> {
    await this.#unary('Shutdown', {});
  }

  /**
   * Breaks every open output stream with an error (not an abort): the instance was declared
   * dead (e.g. its node agent missed its heartbeats) while its connections may still hang open,
   * and the manager resumes those requests elsewhere.
   */
  abandon(): void {
    this.#outputs.breakAll('abandoned: the instance was declared dead');
  }

  close(): void {
    this.#reports?.cancel();
    const submits = this.#submits;
    this.#submits = undefined;
    submits?.cancel();
    this.#outputs.breakAll('the client was closed');
    this.#client.close();
  }
}
