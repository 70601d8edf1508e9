/**
 * Config of a serverless cluster run (zod). Field names carry units; GB means 10⁹ bytes.
 * The per-model `auto_scaling_config` keeps ServerlessLLM's deploy-config field names.
 */
import { z } from 'zod';
import { readFileSync } from 'node:fs';
import { parseDeployConfig, parseDeployJson, type DeployConfig } from '../../config/serverless-deploy.ts';
import { PlacementSpec } from '../../policies/placement/index.ts';
import { parseWith } from '../config/parse.ts';
import { LoaderSpec } from './loader.ts';

const Positive = z.number().positive().finite();
const GB = Positive;

export const Bandwidth = z.strictObject({
  /** Remote checkpoint storage → one node (10 Gbps Ethernet ≈ 1.25). GB/s. */
  network_gb_per_s: GB.default(1.25),
  /** Local SSD (NVMe or RAID0) → DRAM, device ceiling (fio). GB/s. */
  ssd_gb_per_s: GB.default(6),
  /** Pinned DRAM → one GPU (PCIe 4.0 x16 ≈ 25, upstream's hard-coded value). GB/s. */
  pcie_gb_per_s_per_gpu: GB.default(25),
});

/** The GPU every node has; step latencies of every model derive from it (a roofline). */
export const GpuSpec = z.strictObject({
  /** HBM bandwidth (A40: 696). GB/s. */
  hbm_gb_per_s: GB.default(696),
  /** Dense fp16 tensor throughput (A40: 150). TFLOP/s. */
  fp16_tflops: Positive.default(150),
  /** Fraction of peak FLOPs prefill reaches. Unitless. */
  prefill_mfu: z.number().gt(0).max(1).default(0.4),
  /** Fraction of HBM bandwidth a decode step reaches. Unitless. */
  decode_bandwidth_efficiency: z.number().gt(0).max(1).default(0.8),
  /** Fixed cost of every engine iteration (scheduler, sampling). Milliseconds. */
  step_overhead_ms: z.number().nonnegative().default(5),
});

export const ClusterSpec = z.strictObject({
  /** Number of servers. */
  nodes: z.number().int().positive(),
  /** GPUs per server. */
  gpus_per_node: z.number().int().positive(),
  /** Pinned-DRAM checkpoint cache per node, LRU; 0 disables it. GB. */
  dram_cache_gb: z.number().nonnegative().default(64),
  /** Local SSD space for checkpoints per node, LRU. GB. */
  ssd_capacity_gb: z.number().nonnegative().default(2000),
  /** Keep checkpoints downloaded from remote storage on the local SSD (Ray Serve "with cache"). */
  cache_downloads_on_ssd: z.boolean().default(true),
  bandwidth: Bandwidth.default({ network_gb_per_s: 1.25, ssd_gb_per_s: 6, pcie_gb_per_s_per_gpu: 25 }),
  gpu: GpuSpec.default({ hbm_gb_per_s: 696, fp16_tflops: 150, prefill_mfu: 0.4, decode_bandwidth_efficiency: 0.8, step_overhead_ms: 5 }),
});

/** ServerlessLLM's `auto_scaling_config`, same names and defaults as upstream. */
export const AutoScalingConfig = z.strictObject({
  /** `concurrency`: an instance takes up to `target` requests at once; anything else: 1. */
  metric: z.string().default('concurrency'),
  /** Target in-flight requests per instance. */
  target: z.number().int().positive().default(1),
  /** Floor; > 0 keeps instances warm from t = 0. */
  min_instances: z.number().int().nonnegative().default(0),
  /** Ceiling. */
  max_instances: z.number().int().positive().default(10),
  /** Seconds an idle, over-provisioned instance is kept before unloading. */
  keep_alive: z.number().nonnegative().default(0),
});

export const ModelSpec = z
  .strictObject({
    /** Model name requests ask for. */
    name: z.string().min(1),
    /** Parameters, billions (drives step latencies). */
    params_b: Positive,
    /** Checkpoint size; default 2 bytes per parameter (fp16). GB. */
    size_gb: GB.optional(),
    /** GPUs per instance (tensor parallel, one node). */
    gpus: z.number().int().positive().default(1),
    /** KV geometry, for the bytes a token-based migration avoids shipping. */
    kv: z
      .strictObject({ layers: z.number().int().positive(), kv_heads: z.number().int().positive(), head_dim: z.number().int().positive() })
      .optional(),
    auto_scaling_config: AutoScalingConfig.default({ metric: 'concurrency', target: 1, min_instances: 0, max_instances: 10, keep_alive: 0 }),
    /** Nodes that hold the checkpoint on SSD at t = 0 (upstream `placement_config.local_disk`). */
    ssd_nodes: z.array(z.number().int().nonnegative()).default([]),
    /** Nodes that hold it in DRAM too at t = 0 (upstream `placement_config.memory_pool`). */
    dram_nodes: z.array(z.number().int().nonnegative()).default([]),
  });

/**
 * A `models` entry may bring ServerlessLLM's deploy config (the file `fleetlab deploy` sends,
 * or its object) as `deploy_config`: its model name, num_gpus, auto_scaling_config and
 * placement_config (local_disk → ssd_nodes, memory_pool → dram_nodes) fill the entry; the
 * simulator's own fields (params_b, size_gb, kv) stay beside it, and fields given explicitly win.
 */
function fromDeployConfig(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || !('deploy_config' in input)) return input;
  const { deploy_config: given, ...rest } = input as { deploy_config: unknown } & Record<string, unknown>;
  const deploy: DeployConfig = typeof given === 'string' ? parseDeployJson(readFileSync(given, 'utf8'), given) : parseDeployConfig(given, 'deploy_config');
  return {
    name: deploy.model,
    gpus: deploy.num_gpus,
    auto_scaling_config: deploy.auto_scaling_config,
    ssd_nodes: [...new Set([...(deploy.placement_config.local_disk ?? []), ...(deploy.placement_config.memory_pool ?? [])])],
    dram_nodes: deploy.placement_config.memory_pool ?? [],
    ...rest,
  };
}

/** A model entry, given directly or through a ServerlessLLM deploy config. */
export const ModelEntry = z.preprocess(fromDeployConfig, ModelSpec);

export const MigrationSpec = z.strictObject({
  /** Stop the rounds once fewer new tokens than this appeared (upstream `migration_delta`). Tokens. */
  delta_tokens: z.number().int().nonnegative().default(20),
  /** Rounds before the final stop-and-copy regardless of the delta. */
  max_rounds: z.number().int().positive().default(5),
  /** Per-round cost on top of the recompute (RPC, token transfer). Seconds. */
  round_overhead_s: z.number().nonnegative().default(0.01),
  /** `b` of the resume fit a·(t_in + t_out) + b the scheduler uses (upstream beta 0.1). Seconds. */
  resume_base_s: z.number().nonnegative().default(0.1),
});

export const ServerlessConfig = z
  .strictObject({
    /** One seed drives every random stream. */
    seed: z.number().int().nonnegative().default(0),
    cluster: ClusterSpec,
    loader: LoaderSpec.default({ kind: 'fleetlab' }),
    placement: PlacementSpec.default({ kind: 'locality-migrate', migration: true }),
    migration: MigrationSpec.default({ delta_tokens: 20, max_rounds: 5, round_overhead_s: 0.01, resume_base_s: 0.1 }),
    models: z.array(ModelEntry).min(1),
  })
  .superRefine((c, ctx) => {
    c.models.forEach((m, i) => {
      if (m.gpus > c.cluster.gpus_per_node) {
        ctx.addIssue({ code: 'custom', path: ['models', i, 'gpus'], input: m.gpus, message: `at most cluster.gpus_per_node (${c.cluster.gpus_per_node})` });
      }
      for (const key of ['ssd_nodes', 'dram_nodes'] as const) {
        m[key].forEach((node, j) => {
          if (node >= c.cluster.nodes) ctx.addIssue({ code: 'custom', path: ['models', i, key, j], input: node, message: `a node id below cluster.nodes (${c.cluster.nodes})` });
        });
      }
      const a = m.auto_scaling_config;
      if (a.min_instances > a.max_instances) {
        ctx.addIssue({ code: 'custom', path: ['models', i, 'auto_scaling_config', 'min_instances'], input: a.min_instances, message: `at most max_instances (${a.max_instances})` });
      }
    });
    const names = c.models.map((m) => m.name);
    if (new Set(names).size !== names.length) ctx.addIssue({ code: 'custom', path: ['models'], input: names, message: 'distinct model names' });
  });

export type ServerlessConfig = z.output<typeof ServerlessConfig>;
export type ServerlessConfigInput = z.input<typeof ServerlessConfig>;
export type ModelSpec = z.output<typeof ModelSpec>;

export function parseServerlessConfig(input: unknown, where = 'serverless'): ServerlessConfig {
  return parseWith(ServerlessConfig, input, where);
}
