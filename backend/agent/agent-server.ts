// The node agent: one per machine, listening on that machine's address. It starts and stops
// instance processes on its host (the manager asks over gRPC, backend/rpc/agent.proto), owns the
// node's checkpoint store (disk tier, DRAM tier, keep-alive) and streams node reports that the
// manager also reads as heartbeats.
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { unary } from '../rpc/unary.ts';
import type { ColdStart } from '../engine/cold-start.ts';
import type { LLMEngineOptions } from '../engine/llm-engine.ts';
import { startInstanceProcess, type InstanceProcess } from '../manager/instance-process.ts';
import { agentService } from '../rpc/load-proto.ts';
import type { InstanceInfoMessage, ModelHoldingMessage, ModelReplyMessage, NodeReportMessage } from '../rpc/agent-messages.ts';
import { measureBandwidths, type Bandwidths } from './bandwidth.ts';
import { CheckpointStore, type CheckpointStoreOptions, type ModelHolding } from './checkpoint-store.ts';

export interface AgentOptions extends CheckpointStoreOptions {
  /** The address the agent and its instances bind (this machine's address on the cluster network). */
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
  /** Default node-report period when the subscriber asks for none. */
  readonly report_interval_ms: number;
  /** Bytes of the bandwidth probe run at start (0: not measured, reported as 0). */
  readonly probe_bytes: number;
  /** After an instance started from disk, copy its model into the DRAM tier (sllm-store keeps what it loaded). */
  readonly dram_after_start: boolean;
}

export interface AgentServer {
  readonly host: string;
  readonly port: number;
  readonly store: CheckpointStore;
  readonly bandwidths: Bandwidths | undefined;
  /** Resolves once the agent has stopped (its instances too). */
  readonly closed: Promise<void>;
  stop(): Promise<void>;
}

interface Running {
  readonly info: InstanceInfoMessage;
  readonly process: InstanceProcess;
}

/** The engine options a StartInstance carries, checked field by field. */
export function parseEngineJson(text: string): LLMEngineOptions {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`engine_json = ${JSON.stringify(text.slice(0, 60))}; expected a JSON object of engine options`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`engine_json: expected a JSON object, got ${JSON.stringify(value)}`);
  const model = (value as { model?: unknown }).model;
  if (typeof model !== 'string' || model === '') throw new Error(`engine_json.model = ${JSON.stringify(model)}; expected a model folder on the agent's machine or a tiny preset name`);
  if ('checkpoint_dir' in value) throw new Error('engine_json.checkpoint_dir: chosen by the agent\'s checkpoint store; leave it out');
  return value as LLMEngineOptions;
}

const holdingMessage = (h: ModelHolding): ModelHoldingMessage => ({ ...h });

export async function startAgent(o: AgentOptions): Promise<AgentServer> {
  const store = await CheckpointStore.open(o);
  const bandwidths = o.probe_bytes > 0 ? await measureBandwidths({ disk_dir: o.models_dir, dram_dir: o.dram_dir, bytes: o.probe_bytes }) : undefined;
  const server = new grpc.Server();
  const running = new Map<number, Running>();
  let nextId = 0;
  let seq = 0;
  const boot_id = randomUUID();
  let address = '';
  let stopping: Promise<void> | undefined;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));

  const startInstance = async (engine: LLMEngineOptions): Promise<InstanceInfoMessage> => {
    if (stopping !== undefined) throw new Error('the agent is stopping');
    const t0 = performance.now();
    const checkout = await store.checkout(engine.model);
    let p: InstanceProcess;
    try {
      p = await startInstanceProcess({ ...engine, checkpoint_dir: checkout.dir }, { host: o.host, exit_with_parent: true });
    } finally {
      checkout.release();
    }
    store.instanceStarted(engine.model);
    const id = nextId++;
    const cold: ColdStart | null = p.cold_start ?? null;
    const info: InstanceInfoMessage = {
      instance_id: id, pid: p.pid, host: p.host, port: p.port, kv_port: p.kv_port, max_model_len: p.max_model_len,
      model: engine.model, cold_start: cold, start_s: (performance.now() - t0) / 1e3,
    };
    running.set(id, { info, process: p });
    void p.exited.then(() => {
      running.delete(id);
      store.instanceStopped(engine.model);
    });
    if (checkout.tier === 'disk' && o.dram_after_start && o.dram_capacity_bytes > 0) {
      void store.loadToDram(engine.model).catch((err: unknown) => console.error(`fleetlab agent: ${engine.model} stays on disk only: ${err instanceof Error ? err.message : String(err)}`));
    }
    return info;
  };

  const report = (): NodeReportMessage => ({
    node: address, seq: seq++, boot_id, instances: [...running.values()].map((r) => r.info), models: store.holdings().map(holdingMessage),
    disk_read_gbps: bandwidths?.disk_read_gbps ?? 0, dram_read_gbps: bandwidths?.dram_read_gbps ?? 0, memcpy_gbps: bandwidths?.memcpy_gbps ?? 0,
    dram_capacity_bytes: o.dram_capacity_bytes, dram_used_bytes: store.dram_used_bytes,
  });

  const modelReply = async (model: string, op: () => Promise<{ done: boolean }>): Promise<ModelReplyMessage> => {
    if (model === '') throw new Error('model = ""; expected a model folder on the agent\'s machine or a tiny preset name');
    const t0 = performance.now();
    const { done } = await op();
    const holding = store.holdings().find((h) => h.model === model);
    return { holding: holding === undefined ? null : holdingMessage(holding), seconds: (performance.now() - t0) / 1e3, done };
  };

  const { service } = agentService();
  server.addService(service, {
    StartInstance: unary((r: { engine_json: string }) => startInstance(parseEngineJson(r.engine_json))),
    StopInstance: unary(async (r: { instance_id: number }) => {
      const run = running.get(r.instance_id);
      if (run === undefined) return { stopped: false };
      await run.process.stop();
      return { stopped: true };
    }),
    ListInstances: unary(() => ({ instances: [...running.values()].map((r) => r.info) })),
    NodeReports: (call: grpc.ServerWritableStream<{ interval_ms: number }, NodeReportMessage>) => {
      const send = (): void => void call.write(report());
      send();
      const timer = setInterval(send, call.request.interval_ms > 0 ? call.request.interval_ms : o.report_interval_ms);
      const off = (): void => clearInterval(timer);
      call.on('cancelled', off);
      call.on('close', off);
      void closed.then(() => {
        off();
        call.end();
      });
    },
    RegisterModel: unary((r: { model: string }) => modelReply(r.model, async () => (await store.register(r.model), { done: true }))),
    LoadModel: unary((r: { model: string }) => modelReply(r.model, async () => (await store.loadToDram(r.model), { done: true }))),
    UnloadModel: unary((r: { model: string }) => modelReply(r.model, async () => ({ done: await store.unload(r.model) }))),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${o.host}:${o.port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  address = `${o.host}:${port}`;

  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await Promise.all([...running.values()].map((r) => r.process.stop()));
      resolveClosed();
      await new Promise<void>((r) => server.tryShutdown(() => r()));
      await store.close();
    })());
  return { host: o.host, port, store, bandwidths, closed, stop };
}
