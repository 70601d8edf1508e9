// A "node" of the serverless fleet: a label the manager knows, with instance slots (GPUs in
// ServerlessLLM; here each slot is one instance process's CPU budget), the checkpoints it
// holds (disk, DRAM) and the bandwidths placement estimates use. Instances of a node start
// through its launcher: today a process on this machine; a node agent on another machine
// implements the same interface.
import type { LLMEngineOptions } from '../engine/llm-engine.ts';
import { startInstanceProcess, type InstanceProcess } from '../manager/instance-process.ts';

/** Starts (and stops) the instance processes of one node. */
export interface NodeLauncher {
  start(engine: LLMEngineOptions): Promise<InstanceProcess>;
}

/** A node whose instances are processes on this machine, bound to `host`. */
export function localLauncher(host = '127.0.0.1'): NodeLauncher {
  return { start: (engine) => startInstanceProcess(engine, { host }) };
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
  readonly launcher?: NodeLauncher;
}

export const NODE_DEFAULTS = { network_bytes_per_s: 1, ssd_bytes_per_s: 1e9, pcie_bytes_per_s_per_gpu: 1e10 } as const;

/** The manager's live record of one node. */
export class FleetNode {
  readonly id: number;
  readonly launcher: NodeLauncher;
  /** Instance that owns each slot (loading or serving), by slot index. */
  readonly owner: (number | undefined)[];
  /** Instance a placement decision promised each slot to (it starts once the owner leaves). */
  readonly reserved: (number | undefined)[];
  readonly ssd = new Set<string>();
  readonly dram = new Set<string>();
  /** Measured start-up seconds of instances on this node (process start to ready). */
  readonly startups_s: number[] = [];

  constructor(readonly spec: NodeSpec) {
    this.id = spec.id;
    this.launcher = spec.launcher ?? localLauncher();
    this.owner = new Array<number | undefined>(spec.gpus).fill(undefined);
    this.reserved = new Array<number | undefined>(spec.gpus).fill(undefined);
  }

  get free_gpus(): number[] {
    const free: number[] = [];
    for (let g = 0; g < this.owner.length; g++) if (this.owner[g] === undefined && this.reserved[g] === undefined) free.push(g);
    return free;
  }

  /** Frees every slot `instance` owns or was promised. */
  release(instance: number): void {
    for (let g = 0; g < this.owner.length; g++) {
      if (this.owner[g] === instance) this.owner[g] = undefined;
      if (this.reserved[g] === instance) this.reserved[g] = undefined;
    }
  }
}
