// Registering and removing models (ServerlessLLM's /register and /delete): a deploy config
// names the nodes holding the checkpoint (disk, DRAM), the scaling rule and the router config;
// deleting fails the queued requests and stops the idle instances (busy ones when they finish).
import type { DeployConfig } from '../../config/serverless-deploy.ts';
import { loadTokenizer, readModelFolder, resolveModelDir } from '../model/index.ts';
import { ServerlessError, type Deployed, type FleetParts, type FleetState } from './fleet-state.ts';
import { statSync } from 'node:fs';

export class Deployment {
  constructor(private readonly s: FleetState, private readonly p: FleetParts) {}

  /** Registers a model (ServerlessLLM's /register): its checkpoint's nodes, scaling and router config. */
  async deploy(config: DeployConfig): Promise<void> {
    const s = this.s;
    if (s.models.has(config.model)) throw new ServerlessError(`model "${config.model}" is already deployed; delete it first`);
    const placement = config.placement_config;
    const disk = placement.local_disk ?? [0];
    const dram = placement.memory_pool ?? [];
    for (const [field, ids] of [['placement_config.local_disk', disk], ['placement_config.memory_pool', dram]] as const) {
      for (const id of ids) if (s.nodes[id] === undefined) throw new ServerlessError(`${field} names node ${id}; expected a node id below ${s.nodes.length}`);
    }
    const largest = Math.max(...s.nodes.map((n) => n.owner.length));
    if (config.num_gpus > largest) throw new ServerlessError(`num_gpus = ${config.num_gpus}; expected at most the largest node's ${largest} slots`);
    const source = config.backend_config.pretrained_model_name_or_path ?? config.model;
    const dir = await resolveModelDir(source);
    const folder = await readModelFolder(dir);
    const tokenizer = await loadTokenizer(folder.dir, folder.generation.eos_token_ids);
    const engine = s.options.engine ?? {};
    const capacity = (engine.num_kv_blocks ?? 1024) * (engine.block_size_tokens ?? 16);
    const max_model_len = engine.max_model_len ?? Math.min(folder.arch.max_position_embeddings, capacity);
    const stored = await this.#storeOnAgents(source, disk, dram);
    const size_bytes = stored ?? folder.files.reduce((n, f) => n + statSync(f).size, 0);
    const model: Deployed = {
      name: config.model, config, dir, source, size_bytes, tokenizer, max_model_len, rule: config.auto_scaling_config,
      queue: [], instances: new Set(), pending: 0, inflight: 0, decode_s_per_token: undefined, deleted: false,
    };
    s.models.set(config.model, model);
    // Local nodes are labels: the manager records what the config says they hold. Agent nodes
    // hold what their reports say (the store calls above put it there).
    for (const id of disk) if (s.nodes[id]!.agent === undefined) s.nodes[id]!.ssd.add(config.model);
    for (const id of dram) {
      if (s.nodes[id]!.agent !== undefined) continue;
      s.nodes[id]!.ssd.add(config.model);
      s.nodes[id]!.dram.add(config.model);
    }
    s.log(`Deployed ${config.model} (${(size_bytes / 1e6).toFixed(1)} MB): on disk of node(s) ${[...new Set([...disk, ...dram])].join(', ')}${dram.length > 0 ? `, in DRAM of node(s) ${dram.join(', ')}` : ''}; migration_delta ${config.router_config.migration_delta}`);
    this.p.scaling.autoscale(model);
  }

  /**
   * On agent nodes named by the config: registers the checkpoint in the disk tier (`local_disk`)
   * or copies it into the DRAM tier too (`memory_pool`), as sllm-store does at deploy. Returns
   * the checkpoint's bytes as an agent reported them (what a load reads), or undefined when no
   * agent node was named.
   */
  async #storeOnAgents(source: string, disk: readonly number[], dram: readonly number[]): Promise<number | undefined> {
    let bytes: number | undefined;
    for (const id of new Set([...disk, ...dram])) {
      const agent = this.s.nodes[id]!.agent;
      if (agent === undefined) continue;
      const inDram = dram.includes(id);
      try {
        bytes = (await agent.store(source, inDram)).bytes;
      } catch (err) {
        throw new ServerlessError(`placement_config.${inDram ? 'memory_pool' : 'local_disk'}: node ${id} (agent ${agent.address}) could not store ${source}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return bytes;
  }

  /** Removes a model (ServerlessLLM's /delete): queued requests fail, idle instances stop, busy ones when they finish. */
  async delete(name: string): Promise<void> {
    const s = this.s;
    const model = s.models.get(name);
    if (model === undefined) throw new ServerlessError(`model "${name}" is not deployed; deployed: ${[...s.models.keys()].join(', ') || 'none'}`);
    model.deleted = true;
    s.models.delete(name);
    for (const w of model.queue.splice(0)) w.reject(new ServerlessError(`model "${name}" was deleted`));
    for (let k = s.pending.length - 1; k >= 0; k--) if (s.pending[k]?.model === name) s.pending.splice(k, 1);
    model.pending = 0;
    await Promise.all([...model.instances].filter((i) => i.requests.size === 0).map((i) => this.p.lifecycle.stop(i, 'model deleted')));
    s.log(`Deleted ${name}`);
  }
}
