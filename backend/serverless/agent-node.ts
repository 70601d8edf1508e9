// A serverless node that is a real node agent (`fleetlab agent`): its instances start through
// the agent (which loads them from its checkpoint store, DRAM tier first), deploying a model
// registers it in the agent's disk tier or copies it into its DRAM tier, and what the placement
// view shows of the node — which models it holds in which tier, how fast each tier reads — is
// what the agent's node reports say, not what the manager assumes. The reports are also the
// heartbeat: a silent agent is dead, and so are its instances (NodeWatch).
import type { LLMEngineOptions } from '../engine/llm-engine.ts';
import { DEFAULT_HEARTBEAT, NodeWatch, type HeartbeatParams } from '../manager/agent-instances.ts';
import type { ModelHoldingMessage, NodeReportMessage } from '../rpc/agent-messages.ts';
import type { LaunchedInstance, NodeLauncher } from './node.ts';

/** The tiers' read bandwidths an agent measured at its start (bytes/s); undefined when it did not probe. */
export interface MeasuredBandwidths {
  /** Disk tier → an instance's weight image (native loader, O_DIRECT). */
  readonly disk_bytes_per_s: number;
  /** DRAM tier (tmpfs) → an instance's weight image. */
  readonly dram_bytes_per_s: number;
}

export class AgentNode implements NodeLauncher {
  readonly watch: NodeWatch;

  constructor(readonly address: string, heartbeat: HeartbeatParams = DEFAULT_HEARTBEAT) {
    if (!/^[^:\s]+:\d{1,5}$/.test(address)) throw new Error(`address = ${JSON.stringify(address)}; expected host:port of a node agent, e.g. 127.0.0.2:7070`);
    this.watch = new NodeWatch(address, heartbeat);
  }

  /** Resolves once the agent answered (its first report); rejects naming the address when it is silent. */
  async connect(): Promise<NodeReportMessage> {
    return this.watch.firstReport();
  }

  async start(engine: LLMEngineOptions): Promise<LaunchedInstance> {
    if (!this.watch.alive) throw new Error(`node agent ${this.address} is dead (missed its heartbeats)`);
    return this.watch.track(await this.watch.client.startInstance(engine));
  }

  /**
   * Registers `model` in the agent's disk tier, and copies it into its DRAM tier when `dram`;
   * resolves with what the node then holds of it, once a node report shows it (so the placement
   * view, built from reports, sees it at once).
   */
  async store(model: string, dram: boolean): Promise<ModelHoldingMessage> {
    const reply = dram ? await this.watch.client.loadModel(model) : await this.watch.client.registerModel(model);
    if (reply.holding === null) throw new Error(`node agent ${this.address} holds no ${model} after storing it`);
    await this.#reportShowing((h) => h.model === model && h.on_disk && (!dram || h.in_dram));
    return reply.holding;
  }

  /** What the latest report says the node holds (agent model names: a folder path or tiny preset). */
  holdings(): readonly ModelHoldingMessage[] {
    return this.watch.latest?.models ?? [];
  }

  measured(): MeasuredBandwidths | undefined {
    const r = this.watch.latest;
    if (r === undefined || !(r.disk_read_gbps > 0) || !(r.dram_read_gbps > 0)) return undefined;
    return { disk_bytes_per_s: r.disk_read_gbps * 1e9, dram_bytes_per_s: r.dram_read_gbps * 1e9 };
  }

  /** The first report (the latest, or one to come) in which some holding passes `ok`. */
  #reportShowing(ok: (h: ModelHoldingMessage) => boolean): Promise<void> {
    if (this.watch.latest?.models.some(ok) === true) return Promise.resolve();
    const { interval_ms, missed } = this.watch.heartbeat;
    return new Promise((resolve, reject) => {
      let done = false;
      const timer = setTimeout(() => {
        done = true;
        reject(new Error(`node agent ${this.address} did not report the model stored within ${missed} × ${interval_ms} ms`));
      }, (missed + 1) * interval_ms);
      this.watch.onReport((r) => {
        if (done || !r.models.some(ok)) return;
        done = true;
        clearTimeout(timer);
        resolve();
      });
    });
  }

  close(): void {
    this.watch.close();
  }
}
