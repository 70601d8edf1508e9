// Instances started by node agents (one agent per machine, `nodes:` in the fleet config). Each
// agent's node reports are its heartbeat: after `missed` periods without one the agent is taken
// for dead and every instance it ran is reported exited, so the fleet drops them from its view
// and resumes their requests elsewhere (the same failover path as a killed instance). The
// manager keeps listening: an agent that reports again (restarted on its address, or no longer
// frozen) is taken back, what it still runs from before is stopped (those requests were resumed
// elsewhere), and its node's instances are started again.
import type { LLMEngineOptions } from '../engine/llm-engine.ts';
import type { InstanceInfoMessage, NodeReportMessage } from '../rpc/agent-messages.ts';
import { AgentClient } from '../rpc/agent-client.ts';
import type { InstanceHandle, InstanceSource } from './instance-source.ts';

export interface NodeSpec {
  /** The agent's `host:port`. */
  readonly address: string;
  /** Instances of the fleet's model the agent starts. */
  readonly instances: number;
}

export interface HeartbeatParams {
  /** The period the agent is asked to report at. */
  readonly interval_ms: number;
  /** Periods without a report after which the agent is dead. */
  readonly missed: number;
}

export const DEFAULT_HEARTBEAT: HeartbeatParams = { interval_ms: 500, missed: 3 };

/** One agent as the manager follows it: its latest report and whether it still beats. */
export class NodeWatch {
  readonly client: AgentClient;
  latest: NodeReportMessage | undefined;
  #alive = true;
  #closed = false;
  #lastSeen = performance.now();
  /** The agent process's identity (NodeReport.boot_id) in its last report. */
  #boot: string | undefined;
  readonly #timer: NodeJS.Timeout;
  #resubscribe: NodeJS.Timeout | undefined;
  readonly #onDead = new Set<() => void>();
  readonly #onAlive = new Set<() => void>();
  readonly #onReport = new Set<(r: NodeReportMessage) => void>();

  constructor(readonly address: string, readonly heartbeat: HeartbeatParams) {
    this.client = new AgentClient(address);
    this.#subscribe();
    this.#timer = setInterval(() => {
      if (this.#alive && performance.now() - this.#lastSeen > heartbeat.missed * heartbeat.interval_ms) this.#die();
    }, Math.max(10, heartbeat.interval_ms / 2));
  }

  #subscribe(): void {
    if (this.#closed) return;
    let ended = false;
    this.client.subscribeReports(this.heartbeat.interval_ms, (r) => this.#report(r), () => {
      // A broken stream alone is not a death (the missed heartbeats decide), but it is asked
      // again, so that an agent restarted on its address is heard when it is back. (A stream
      // can end twice, by an error and its end: one new subscription.)
      if (ended || this.#closed) return;
      ended = true;
      this.#resubscribe = setTimeout(() => this.#subscribe(), this.heartbeat.interval_ms);
    });
  }

  #report(r: NodeReportMessage): void {
    // Restarted faster than its heartbeats are missed: its instances went with the old process.
    const restarted = this.#boot !== undefined && r.boot_id !== this.#boot;
    this.#boot = r.boot_id;
    this.#lastSeen = performance.now();
    this.latest = r;
    if (restarted && this.#alive) this.#die();
    if (!this.#alive) this.#revive(r);
    for (const f of this.#onReport) f(r);
  }

  #revive(r: NodeReportMessage): void {
    this.#alive = true;
    // What it runs now was started before its death: the manager took those instances for
    // exited and resumed their requests elsewhere, so they are orphans.
    for (const i of r.instances) void this.client.stopInstance(i.instance_id).catch(() => false);
    for (const f of this.#onAlive) f();
  }

  get alive(): boolean {
    return this.#alive;
  }

  /** Resolves with the first report (the agent answers), or rejects once it is taken for dead. */
  firstReport(): Promise<NodeReportMessage> {
    if (this.latest !== undefined) return Promise.resolve(this.latest);
    return new Promise((resolve, reject) => {
      this.#onReport.add(resolve);
      this.#onDead.add(() => reject(new Error(`node agent ${this.address} sent no report within ${this.heartbeat.missed} × ${this.heartbeat.interval_ms} ms; is \`fleetlab agent\` running there?`)));
    });
  }

  onDead(f: () => void): void {
    if (!this.#alive) f();
    else this.#onDead.add(f);
  }

  /** Runs `f` each time the agent reports again after it was taken for dead. */
  onAlive(f: () => void): void {
    this.#onAlive.add(f);
  }

  onReport(f: (r: NodeReportMessage) => void): void {
    this.#onReport.add(f);
  }

  #die(): void {
    this.#alive = false;
    for (const f of this.#onDead) f();
    this.#onDead.clear();
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    clearTimeout(this.#resubscribe);
    this.client.close();
  }

  /** A handle on an instance this agent started: exited once the agent dies or stops listing it. */
  track(info: InstanceInfoMessage): InstanceHandle {
    let resolveExited!: (why: string) => void;
    const exited = new Promise<number | string>((r) => (resolveExited = r));
    let seen = false;
    const watch = (r: NodeReportMessage): void => {
      const listed = r.instances.some((i) => i.instance_id === info.instance_id);
      // Only a report after one that listed it can say it is gone (an older report may still be in flight).
      if (listed) seen = true;
      else if (seen) resolveExited('exited on its node');
    };
    this.onReport(watch);
    void exited.then(() => this.#onReport.delete(watch));
    this.onDead(() => resolveExited('node agent dead'));
    const stop = async (): Promise<void> => {
      if (this.#alive && (await this.client.stopInstance(info.instance_id).catch(() => false))) resolveExited('stopped');
      else if (!this.#alive) resolveExited('node agent dead');
    };
    return {
      pid: info.pid, host: info.host, port: info.port, kv_port: info.kv_port, max_model_len: info.max_model_len,
      ...(info.cold_start !== null ? { cold_start: info.cold_start } : {}),
      node: this.address, exited, stop,
      death_known_ms: (this.heartbeat.missed + 1) * this.heartbeat.interval_ms + 250,
    };
  }
}

export class AgentInstances implements InstanceSource {
  readonly nodes: NodeWatch[];
  /** The engine every instance runs (set by startAll): a rejoining node's instances start with it. */
  #engine: LLMEngineOptions | undefined;
  readonly #onRejoin = new Set<(handle: InstanceHandle) => void>();

  constructor(readonly specs: readonly NodeSpec[], heartbeat: HeartbeatParams = DEFAULT_HEARTBEAT) {
    for (const [i, s] of specs.entries()) {
      if (!/^[^:\s]+:\d{1,5}$/.test(s.address)) throw new Error(`nodes[${i}].address = ${JSON.stringify(s.address)}; expected host:port of a node agent`);
      if (!Number.isInteger(s.instances) || s.instances < 0) throw new Error(`nodes[${i}].instances = ${s.instances}; expected an integer >= 0`);
    }
    if (!Number.isInteger(heartbeat.interval_ms) || heartbeat.interval_ms < 10) throw new Error(`heartbeat.interval_ms = ${heartbeat.interval_ms}; expected an integer >= 10`);
    if (!Number.isInteger(heartbeat.missed) || heartbeat.missed < 1) throw new Error(`heartbeat.missed = ${heartbeat.missed}; expected an integer >= 1`);
    this.nodes = specs.map((s) => new NodeWatch(s.address, heartbeat));
    for (const [i, node] of this.nodes.entries()) node.onAlive(() => void this.#restart(i));
  }

  /** A node whose agent is back: its instances start again and join through `onRejoin`'s listeners. */
  async #restart(i: number): Promise<void> {
    const node = this.nodes[i]!;
    const engine = this.#engine;
    if (engine === undefined) return;
    for (let k = 0; k < this.specs[i]!.instances && node.alive; k++) {
      let handle: InstanceHandle;
      try {
        handle = node.track(await node.client.startInstance(engine));
      } catch (err) {
        // Died again (the next revival tries again), or refused: either way an operator must see it.
        process.emitWarning(`node agent ${node.address} came back, but starting its instance ${k + 1} of ${this.specs[i]!.instances} failed: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
      if (this.#onRejoin.size === 0) void handle.stop();
      for (const f of this.#onRejoin) f(handle);
    }
  }

  /** `f` receives each instance started on a node that came back after it was taken for dead. */
  onRejoin(f: (handle: InstanceHandle) => void): void {
    this.#onRejoin.add(f);
  }

  async startAll(engine: LLMEngineOptions): Promise<InstanceHandle[]> {
    this.#engine = engine;
    const started: InstanceHandle[] = [];
    try {
      for (const [i, node] of this.nodes.entries()) {
        await node.firstReport();
        for (let k = 0; k < this.specs[i]!.instances; k++) started.push(node.track(await node.client.startInstance(engine)));
      }
      if (started.length === 0) throw new Error('nodes: no instances to start (every node has instances: 0)');
    } catch (err) {
      await Promise.all(started.map((h) => h.stop()));
      await this.close();
      throw err;
    }
    return started;
  }

  #next = 0;

  /** One more instance, on the nodes in turn (auto-scaling spreads its scale-ups across machines). */
  async startOne(engine: LLMEngineOptions): Promise<InstanceHandle> {
    const node = this.nodes[this.#next++ % this.nodes.length]!;
    return node.track(await node.client.startInstance(engine));
  }

  async close(): Promise<void> {
    this.#onRejoin.clear();
    for (const n of this.nodes) n.close();
  }
}
