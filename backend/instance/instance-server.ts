// One engine instance behind the Instance gRPC service (Llumnix's llumlet): runs requests,
// streams their deltas (one batch per step, output-batches.ts), pushes a load report after every step, takes part in live migrations
// (as source: MigrateOut; as destination: PreAlloc / FreePreAlloc / Commit / Attach, with KV
// blocks arriving on its transfer receiver), and shuts down on request.
import * as grpc from '@grpc/grpc-js';
import { unary } from '../rpc/unary.ts';
import type { LLMEngine, StepTiming } from '../engine/llm-engine.ts';
import type { MigratedState } from '../engine/migrated-state.ts';
import { listenForBlocks, type KvReceiver } from '../native/index.ts';
import { InstanceClient } from '../rpc/instance-client.ts';
import { instanceService } from '../rpc/load-proto.ts';
import { fromGenerateMessage, type GenerateMessage, type MigrateOutMessage, type ReportMessage } from '../rpc/messages.ts';
import type { OutputBatchMessage } from '../rpc/output-batch.ts';
import { OutputBatches } from './output-batches.ts';
import { IncomingMigrations } from './migration-in.ts';
import { OutgoingMigrations } from './migration-out.ts';
import { prefillIntoCache } from '../engine/prefill-cache.ts';
import { migrateTokensOut } from './token-migration-out.ts';

export interface InstanceServer {
  readonly port: number;
  /** Where migrating sources send this instance's incoming KV blocks. */
  readonly kv_port: number;
  /** Resolves when a Shutdown call (or `stop()`) has closed the server. */
  readonly closed: Promise<void>;
  stop(): Promise<void>;
}

export function reportOf(engine: LLMEngine, migrations: number, step?: StepTiming): ReportMessage {
  const s = engine.stats();
  return {
    ...engine.load(), steps: s.steps, preemptions: s.preemptions, kv_cache_usage: s.kv_cache_usage_perc, migrations_in_flight: migrations,
    ...(step === undefined ? {} : { step }),
  };
}

export async function startInstanceServer(engine: LLMEngine, host: string, port: number): Promise<InstanceServer> {
  const server = new grpc.Server();
  const peers = new Map<string, InstanceClient>();
  const dial = (address: string): InstanceClient => {
    let c = peers.get(address);
    if (c === undefined) peers.set(address, (c = new InstanceClient(address)));
    return c;
  };
  const incoming = new IncomingMigrations(engine);
  const outgoing = new OutgoingMigrations(engine, dial);
  const receiver: KvReceiver = await listenForBlocks(engine.runner.kvPool, { host, onCommit: (payload) => incoming.commitPayload(payload) });
  const outputs = new OutputBatches((request_id) => engine.abort(request_id));
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await engine.shutdown();
      outputs.close();
      await receiver.close();
      outgoing.close();
      for (const c of peers.values()) c.close();
      await new Promise<void>((r) => server.tryShutdown(() => r()));
      resolveClosed();
    })());

  const { service } = instanceService();
  server.addService(service, {
    Outputs: (call: grpc.ServerWritableStream<{ subscriber: string }, OutputBatchMessage>) => outputs.subscribe(call.request.subscriber, call),
    Submits: (call: grpc.ServerReadableStream<{ subscriber: string; request: GenerateMessage }, object>, callback: grpc.sendUnaryData<object>) => {
      call.on('data', (m: { subscriber: string; request: GenerateMessage | null }) => {
        const request_id = m.request?.request_id ?? '';
        try {
          if (m.request === null) throw new Error('SubmitRequest without a request');
          outputs.forward(m.subscriber, request_id, engine.generate(fromGenerateMessage(m.request)));
        } catch (err) {
          outputs.fail(m.subscriber, request_id, err instanceof Error ? err.message : String(err));
        }
      });
      call.on('end', () => callback(null, {}));
      // A manager that goes away cancels the call; its requests go with its Outputs stream.
      call.on('error', () => undefined);
    },
    Abort: unary((r: { request_id: string }) => {
      engine.abort(r.request_id);
      incoming.cancel(r.request_id);
      return {};
    }),
    Attach: (call: grpc.ServerUnaryCall<{ subscriber: string; request_id: string }, object>, callback: grpc.sendUnaryData<object>) => {
      const { subscriber, request_id } = call.request;
      if (!incoming.attach(request_id, (stream) => outputs.forward(subscriber, request_id, stream))) {
        callback({ code: grpc.status.NOT_FOUND, details: `no migrated request ${request_id} waits to be attached here, and none is being migrated here` });
        return;
      }
      callback(null, {});
    },
    Reports: (call: grpc.ServerWritableStream<unknown, ReportMessage>) => {
      const send = (step?: StepTiming): void => void call.write(reportOf(engine, outgoing.in_flight, step));
      send();
      const offStep = engine.onStep(send);
      const offIdle = engine.onIdle(send);
      const off = (): void => {
        offStep();
        offIdle();
      };
      call.on('cancelled', off);
      call.on('close', off);
    },
    MigrateOut: unary((m: MigrateOutMessage) => outgoing.migrateOut(m)),
    PreAlloc: unary((r: { request_id: string; blocks: number }) => {
      const ids = incoming.preAlloc(r.request_id, r.blocks);
      return { ok: ids !== undefined, block_ids: ids ?? [] };
    }),
    FreePreAlloc: unary((r: { request_id: string }) => {
      incoming.free(r.request_id);
      return {};
    }),
    CurrentTokens: unary((r: { request_id: string }) => {
      const seq = engine.sequence(r.request_id);
      if (seq === undefined || seq.status === 'finished' || seq.token_ids === undefined) return { running: false, token_ids: [], prompt_tokens: 0 };
      return { running: true, token_ids: [...seq.token_ids], prompt_tokens: seq.prompt_tokens };
    }),
    PrefillTokens: unary((r: { round_id: string; token_ids: number[] }) => prefillIntoCache(engine, r.round_id, r.token_ids)),
    MigrateTokensOut: unary((r: { request_id: string; dst_address: string }) => migrateTokensOut(engine, r.request_id, dial(r.dst_address))),
    CommitTokens: unary((r: { request_id: string; state_json: string }) => {
      try {
        incoming.commitTokens(JSON.parse(r.state_json) as MigratedState);
        return { ok: true, detail: '' };
      } catch (err) {
        return { ok: false, detail: err instanceof Error ? err.message : String(err) };
      }
    }),
    Shutdown: unary(() => {
      setImmediate(() => void stop());
      return {};
    }),
  });
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { port: bound, kv_port: receiver.port, closed, stop };
}
