// Where a fleet's instances come from: processes the manager spawns on its own machine (the
// default), or processes node agents start on theirs (`nodes:` in the fleet config). The fleet
// sees the same handle either way.
import type { LLMEngineOptions } from '../engine/llm-engine.ts';
import { AgentInstances, type HeartbeatParams, type NodeSpec } from './agent-instances.ts';
import { startInstanceProcess, type InstanceProcess, type StartInstanceOptions } from './instance-process.ts';

/** What the manager needs of one instance, wherever it runs. */
export interface InstanceHandle extends Omit<InstanceProcess, 'child'> {
  /** The node agent that runs it (`host:port`), absent for the manager's own processes. */
  readonly node?: string;
  /**
   * After the instance's stream broke, how long to wait for `exited` before taking it for alive:
   * the longest it takes to learn of its death (a local exit is seen at once; an agent's instance
   * may only be known dead once its agent missed its heartbeats).
   */
  readonly death_known_ms: number;
}

export interface InstanceSource {
  /** Starts every instance, one after another (the first start converts the model once). */
  startAll(engine: LLMEngineOptions): Promise<InstanceHandle[]>;
  /** Starts one more instance (auto-scaling's scale-up). */
  startOne(engine: LLMEngineOptions): Promise<InstanceHandle>;
  /**
   * Instances started later on their own (a node agent taken for dead that came back): `f`
   * receives each; absent where instances never come back on their own (local processes).
   */
  onRejoin?(f: (handle: InstanceHandle) => void): void;
  /** Stops watching (agents); the instances themselves are stopped through their handles. */
  close(): Promise<void>;
}

/** Instance processes on the manager's own machine. */
export class LocalInstances implements InstanceSource {
  constructor(readonly count: number, readonly host?: string) {}

  async startAll(engine: LLMEngineOptions): Promise<InstanceHandle[]> {
    const started: InstanceHandle[] = [];
    try {
      for (let i = 0; i < this.count; i++) {
        const p = await startInstanceProcess(engine, this.processOptions());
        started.push({ ...p, death_known_ms: 1000 });
      }
    } catch (err) {
      await Promise.all(started.map((p) => p.stop()));
      throw err;
    }
    return started;
  }

  async startOne(engine: LLMEngineOptions): Promise<InstanceHandle> {
    return { ...(await startInstanceProcess(engine, this.processOptions())), death_known_ms: 1000 };
  }

  /** The instances exit with this process: a manager that crashes or is killed leaves none behind. */
  private processOptions(): StartInstanceOptions {
    return { exit_with_parent: true, ...(this.host === undefined ? {} : { host: this.host }) };
  }

  async close(): Promise<void> {}
}

export interface SourceOptions {
  readonly instances: number;
  readonly host?: string;
  readonly nodes?: readonly NodeSpec[];
  readonly heartbeat?: HeartbeatParams;
}

export function instanceSource(o: SourceOptions): InstanceSource {
  if (o.nodes === undefined || o.nodes.length === 0) return new LocalInstances(o.instances, o.host);
  return new AgentInstances(o.nodes, o.heartbeat);
}
