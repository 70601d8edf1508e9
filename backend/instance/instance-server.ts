// One engine instance behind the Instance gRPC service (Llumnix's llumlet): runs requests,
// streams their deltas, pushes a load report after every step, and shuts down on request.
import * as grpc from '@grpc/grpc-js';
import type { LLMEngine } from '../engine/llm-engine.ts';
import { instanceService } from '../rpc/load-proto.ts';
import { fromGenerateMessage, toDeltaMessage, type DeltaMessage, type GenerateMessage, type ReportMessage } from '../rpc/messages.ts';

export interface InstanceServer {
  readonly port: number;
  /** Resolves when a Shutdown call (or `stop()`) has closed the server. */
  readonly closed: Promise<void>;
  stop(): Promise<void>;
}

export function reportOf(engine: LLMEngine): ReportMessage {
  const s = engine.stats();
  return { ...engine.load(), steps: s.steps, preemptions: s.preemptions, kv_cache_usage: s.kv_cache_usage_perc };
}

export async function startInstanceServer(engine: LLMEngine, host: string, port: number): Promise<InstanceServer> {
  const server = new grpc.Server();
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await engine.shutdown();
      await new Promise<void>((r) => server.tryShutdown(() => r()));
      resolveClosed();
    })());

  const { service } = instanceService();
  server.addService(service, {
    Generate: (call: grpc.ServerWritableStream<GenerateMessage, DeltaMessage>) => {
      const controller = new AbortController();
      call.on('cancelled', () => controller.abort());
      void (async () => {
        try {
          const request = fromGenerateMessage(call.request);
          for await (const d of engine.generate(request, controller.signal)) call.write(toDeltaMessage(d));
          call.end();
        } catch (err) {
          call.destroy(Object.assign(new Error(err instanceof Error ? err.message : String(err)), { code: grpc.status.INVALID_ARGUMENT }));
        }
      })();
    },
    Reports: (call: grpc.ServerWritableStream<unknown, ReportMessage>) => {
      call.write(reportOf(engine));
      const off = engine.onStep(() => call.write(reportOf(engine)));
      const end = (): void => {
        off();
      };
      call.on('cancelled', end);
      call.on('close', end);
    },
    Shutdown: (_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      callback(null, {});
      setImmediate(() => void stop());
    },
  });
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { port: bound, closed, stop };
}
