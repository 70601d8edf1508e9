// The manager's handle on one node agent: start/stop/list its instances, its checkpoint store,
// and its stream of node reports (the heartbeat a NodeWatch times).
import * as grpc from '@grpc/grpc-js';
import type { LLMEngineOptions } from '../engine/llm-engine.ts';
import { agentService } from './load-proto.ts';
import type { InstanceInfoMessage, ModelReplyMessage, NodeReportMessage } from './agent-messages.ts';

export class AgentClient {
  readonly #client: grpc.Client;
  #reports: grpc.ClientReadableStream<unknown> | undefined;

  constructor(readonly address: string) {
    const { Client } = agentService();
    // A dead agent is asked again every heartbeat period (NodeWatch); gRPC's own reconnection
    // backoff (up to 120 s by default) would hear one restarted on its address minutes late.
    this.#client = new Client(address, grpc.credentials.createInsecure(), { 'grpc.initial_reconnect_backoff_ms': 200, 'grpc.max_reconnect_backoff_ms': 2000 });
  }

  startInstance(engine: LLMEngineOptions): Promise<InstanceInfoMessage> {
    return this.#unary('StartInstance', { engine_json: JSON.stringify(engine) });
  }

  async stopInstance(instance_id: number): Promise<boolean> {
    return (await this.#unary<{ stopped: boolean }>('StopInstance', { instance_id })).stopped;
  }

  async listInstances(): Promise<InstanceInfoMessage[]> {
    return (await this.#unary<{ instances: InstanceInfoMessage[] }>('ListInstances', {})).instances;
  }

  registerModel(model: string): Promise<ModelReplyMessage> {
    return this.#unary('RegisterModel', { model });
  }

  /** Copies a model into the node's DRAM tier; resolves once it is there. */
  loadModel(model: string): Promise<ModelReplyMessage> {
    return this.#unary('LoadModel', { model });
  }

  unloadModel(model: string): Promise<ModelReplyMessage> {
    return this.#unary('UnloadModel', { model });
  }

  /** Subscribes to node reports every `interval_ms`; `onEnd` runs when the stream breaks or ends. */
  subscribeReports(interval_ms: number, onReport: (r: NodeReportMessage) => void, onEnd: (err?: Error) => void): void {
    const call = (this.#client as unknown as Record<string, (req: unknown) => grpc.ClientReadableStream<unknown>>)['NodeReports']!.call(this.#client, { interval_ms });
    this.#reports = call;
    call.on('data', (m: unknown) => onReport(m as NodeReportMessage));
    call.on('error', (err: grpc.ServiceError) => {
      if (err.code !== grpc.status.CANCELLED) onEnd(err);
    });
    call.on('end', () => onEnd());
  }

  #unary<T>(method: string, request: unknown): Promise<T> {
    const fn = (this.#client as unknown as Record<string, (req: unknown, cb: (err: grpc.ServiceError | null, res: T) => void) => void>)[method]!;
    return new Promise<T>((resolve, reject) =>
      fn.call(this.#client, request, (err, res) => (err ? reject(new Error(`agent ${this.address} ${method}: ${err.details || err.message}`)) : resolve(res))),
    );
  }

  close(): void {
    this.#reports?.cancel();
    this.#client.close();
  }
}
