// A "node" of the serverless fleet: instance slots (GPUs in ServerlessLLM; here each slot is
// one instance process's CPU budget), the checkpoints it holds (disk, DRAM) and the bandwidths
// placement estimates use. Instances of a node start through its launcher: by default
// processes on this machine, the node a label whose holdings the manager tracks and whose
// bandwidths are assumed; or a node agent (`address`, agent-node.ts), whose node reports say
// what it holds in which tier and the bandwidths it measured.
import type { ColdStart } from '../engine/cold-start.ts';
import type { LLMEngineOptions } from '../engine/llm-engine.ts';
import type { HeartbeatParams } from '../manager/agent-instances.ts';
import { startInstanceProcess, type InstanceProcess } from '../manager/instance-process.ts';
import type { TierBandwidths } from '../../policies/placement/index.ts';
import { AgentNode } from './agent-node.ts';

/** What the manager holds of one started instance, wherever it runs. */
export interface LaunchedInstance extends Omit<InstanceProcess, 'child'> {
  /**
   * After its stream broke, how long to wait for `exited` before taking it for alive (an agent's
   * instance may be known dead only once its agent missed its heartbeats). Default 1 s.
   */
  readonly death_known_ms?: number;
}

/** Starts (and stops) the instance processes of one node. */
export interface NodeLauncher {
  start(engine: LLMEngineOptions): Promise<LaunchedInstance>;
}

/** A node whose instances are processes on this machine, bound to `host`. */
export function localLauncher(host = '127.0.0.1'): NodeLauncher {
  // exit_with_parent: a serverless manager that crashes or is killed leaves no instance behind.
  return { start: (engine) => startInstanceProcess(engine, { host, exit_with_parent: true }) };
}

export interface NodeSpec {
  readonly id: number;
  /** Instance slots ("GPUs"). */
  readonly gpus: number;
  /**
   * Remote storage → this node, bytes/s. This machine has no remote checkpoint store (as
   * upstream's example, whose scheduler only considers nodes holding the checkpoint), so the
   * default makes a remote load look as slow as it really is: impossible in practice.
   */
  readonly network_bytes_per_s?: number;
  /** Disk → DRAM, bytes/s (estimate until the node reports a measurement). */
  readonly ssd_bytes_per_s?: number;
  /** DRAM → one slot, bytes/s (a memcpy on the CPU backend). */
  readonly pcie_bytes_per_s_per_gpu?: number;
  /** Local instance processes by default. */
  readonly launcher?: NodeLauncher;
  /**
   * `host:port` of a node agent (`fleetlab agent`) that runs this node's instances and holds its
   * checkpoints; its reports replace the holdings and (once it measured them) the disk and DRAM
   * bandwidths above. Not with `launcher`.
   */
  readonly address?: string;
}

export const NODE_DEFAULTS = { network_bytes_per_s: 1, ssd_bytes_per_s: 1e9, pcie_bytes_per_s_per_gpu: 1e10 } as const;

/** The manager's live record of one node. */
export class FleetNode {
  readonly id: number;
  readonly launcher: NodeLauncher;
  /** The node agent behind this node, when it is one. */
  readonly agent: AgentNode | undefined;
  /** Instance that owns each slot (loading or serving), by slot index. */
  readonly owner: (number | undefined)[];
  /** Instance a placement decision promised each slot to (it starts once the owner leaves). */
  readonly reserved: (number | undefined)[];
  readonly ssd = new Set<string>();
  readonly dram = new Set<string>();
  /** Measured start-up seconds of instances on this node (process start to ready). */
  readonly startups_s: number[] = [];

  constructor(readonly spec: NodeSpec, heartbeat?: HeartbeatParams) {
    this.id = spec.id;
    if (spec.address !== undefined && spec.launcher !== undefined) throw new Error(`nodes[${spec.id}]: address and launcher both given; expected one (an agent is the node's launcher)`);
    this.agent = spec.address === undefined ? undefined : new AgentNode(spec.address, heartbeat);
    this.launcher = this.agent ?? spec.launcher ?? localLauncher();
    this.owner = new Array<number | undefined>(spec.gpus).fill(undefined);
    this.reserved = new Array<number | undefined>(spec.gpus).fill(undefined);
  }

  /** False once a node agent missed its heartbeats (a local node is always up). */
  get up(): boolean {
    return this.agent === undefined || this.agent.watch.alive;
  }

  /** Slots nothing owns or was promised; none on a node whose agent is dead (nothing can start there). */
  get free_gpus(): number[] {
    if (!this.up) return [];
    const free: number[] = [];
    for (let g = 0; g < this.owner.length; g++) if (this.owner[g] === undefined && this.reserved[g] === undefined) free.push(g);
    return free;
  }

  /**
   * Records a measured start-up (launch to serving). The view adds `size / bandwidth` to this
   * node's per-load overhead, so where the instance reported its load's read time (an agent's
   * instance), that part is left out of the overhead rather than counted twice.
   */
  recordStartup(startup_s: number, cold?: ColdStart): void {
    this.startups_s.push(this.agent !== undefined && cold !== undefined ? Math.max(0, startup_s - cold.read_s) : startup_s);
  }

  /**
   * An agent node's holdings as its latest report says (`names` maps the agent's model names,
   * a folder or tiny preset, to the deployed names); a local node keeps what the manager tracked.
   */
  syncHoldings(names: ReadonlyMap<string, readonly string[]>): void {
    if (this.agent === undefined) return;
    this.ssd.clear();
    this.dram.clear();
    // A dead agent's last report is stale: it holds nothing a placement could use.
    if (!this.up) return;
    for (const h of this.agent.holdings()) {
      for (const name of names.get(h.model) ?? []) {
        if (h.on_disk) this.ssd.add(name);
        if (h.in_dram) this.dram.add(name);
      }
    }
  }

  /**
   * The bandwidths start-up estimates use: an agent's measured tiers (disk tier → instance as
   * SSD, DRAM tier → instance as the DRAM → slot link), else the spec's or the defaults.
   */
  bandwidth(): TierBandwidths {
    const m = this.agent?.measured();
    return {
      network_bytes_per_s: this.spec.network_bytes_per_s ?? NODE_DEFAULTS.network_bytes_per_s,
      ssd_bytes_per_s: m?.disk_bytes_per_s ?? this.spec.ssd_bytes_per_s ?? NODE_DEFAULTS.ssd_bytes_per_s,
      pcie_bytes_per_s_per_gpu: m?.dram_bytes_per_s ?? this.spec.pcie_bytes_per_s_per_gpu ?? NODE_DEFAULTS.pcie_bytes_per_s_per_gpu,
    };
  }

  /** Frees every slot `instance` owns or was promised. */
  release(instance: number): void {
    for (let g = 0; g < this.owner.length; g++) {
      if (this.owner[g] === instance) this.owner[g] = undefined;
      if (this.reserved[g] === instance) this.reserved[g] = undefined;
    }
  }
}
