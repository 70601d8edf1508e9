/**
 * One serverless run: builds the cluster from a config, feeds it requests, runs to the end
 * and returns per-request records, loads and the migration log. Pure of I/O.
 */
import { createPlacementPolicy } from '../../policies/placement/index.ts';
import { Simulation } from '../kernel/index.ts';
import { buildCatalogue } from './catalogue.ts';
import { parseServerlessConfig, type ServerlessConfig, type ServerlessConfigInput } from './config.ts';
import { ServerlessController, type Faults, type LoadRecord } from './controller.ts';
import { loaderParams } from './loader.ts';
import { SimNode } from './node.ts';
import { ServerlessRequest } from './request.ts';
import type { MigrationEvent } from './token-migration.ts';

export interface ServerlessRequestInput {
  readonly id: number;
  readonly model: string;
  readonly arrival_s: number;
  readonly prompt_tokens: number;
  readonly output_tokens: number;
  /** Client's max_tokens (≥ output_tokens); defaults to output_tokens. */
  readonly max_tokens?: number;
}

export interface ServerlessRunResult {
  readonly config: ServerlessConfig;
  readonly requests: readonly ServerlessRequest[];
  readonly loads: readonly LoadRecord[];
  readonly migrations: readonly MigrationEvent[];
  readonly preemptions: number;
  readonly placements: number;
  readonly makespan_s: number;
  /** Events the kernel executed (a cost measure for the benchmarks). */
  readonly events: number;
}

export interface ServerlessRunOptions {
  readonly faults?: Faults;
  /** Stop at this virtual time even if requests remain (guards experiments). Seconds. */
  readonly until_s?: number;
}

export function runServerless(input: ServerlessConfigInput | ServerlessConfig, requests: readonly ServerlessRequestInput[], options: ServerlessRunOptions = {}): ServerlessRunResult {
  const config = parseServerlessConfig(input);
  const sim = new Simulation(config.seed);
  const nodes = Array.from({ length: config.cluster.nodes }, (_, id) => new SimNode(id, sim, config.cluster));
  const catalogue = buildCatalogue(config);
  for (const m of config.models) {
    const entry = catalogue.get(m.name);
    if (entry === undefined) continue;
    for (const id of m.ssd_nodes) nodes[id]?.ssd.insert(m.name, entry.size_bytes);
    for (const id of m.dram_nodes) nodes[id]?.dram.insert(m.name, entry.size_bytes);
  }
  const controller = new ServerlessController(sim, nodes, catalogue, loaderParams(config.loader), createPlacementPolicy(config.placement), config, options.faults ?? {});
  const records = requests.map((r) => new ServerlessRequest(r.id, r.model, r.arrival_s, r.prompt_tokens, r.output_tokens, Math.max(r.output_tokens, r.max_tokens ?? r.output_tokens)));
  for (const r of records) controller.submit(r);
  sim.run(options.until_s === undefined ? {} : { until_s: options.until_s });
  const makespan_s = records.reduce((m, r) => Math.max(m, r.finish_s ?? 0), 0);
  return {
    config,
    requests: records,
    loads: controller.loads,
    migrations: controller.migrationLog,
    preemptions: controller.preemptions,
    placements: controller.decisions.length,
    makespan_s,
    events: sim.executed,
  };
}
