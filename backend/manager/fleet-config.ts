// `fleetlab serve --config fleet.yaml`: the real fleet's config, validated with zod. The
// `scheduler:` section is the same one a simulation config takes (policies/SchedulerSpec).
import { resolve } from 'node:path';
import { z } from 'zod';
import { parseConfig, readConfigFile } from '../../config/index.ts';
import { SchedulerSpec } from '../../policies/index.ts';
import { ENGINE_KINDS } from '../../engine/index.ts';
import { ExternalInstanceSpec } from './external-instance.ts';
import { DEFAULT_MIGRATION, type FleetOptions } from './fleet.ts';

/** Node reports (heartbeats): their period, and how many missed ones make an agent dead (both fleets' `heartbeat:`). */
export const HeartbeatSpec = z.strictObject({ interval_ms: z.number().int().min(10).default(500), missed: z.number().int().min(1).default(3) }).prefault({});

/** A config file's content: JSON for `.json`, YAML otherwise; a missing file or a syntax error names the file (and line). */
export function readConfigText(file: string, flag = '--config'): unknown {
  return readConfigFile(resolve(file), file, flag);
}

export const FleetConfig = z.strictObject({
  /** HF model folder, or a tiny preset (`tiny`, `tiny-1_5b`, `tiny-3b`). */
  model: z.string().min(1).default('tiny'),
  /** Instance processes on this machine (0 only with `external` servers). */
  instances: z.number().int().min(0).max(64).default(2),
  /** Every instance's engine. */
  engine: z
    .strictObject({
      kind: z.enum(ENGINE_KINDS).default('vllm-v1'),
      num_kv_blocks: z.number().int().min(1).optional(),
      block_size_tokens: z.number().int().min(1).max(256).optional(),
      max_num_batched_tokens: z.number().int().min(1).optional(),
      max_num_seqs: z.number().int().min(1).optional(),
      max_model_len: z.number().int().min(2).optional(),
      enable_prefix_caching: z.boolean().optional(),
      /** Compute threads per instance (a CPU budget each). */
      threads: z.number().int().min(1).max(256).default(1),
      seed: z.number().int().min(0).default(0),
    })
    .prefault({}),
  /** The global scheduler: Llumnix's load dispatch unless told otherwise. */
  scheduler: SchedulerSpec.prefault({ dispatch: { kind: 'load' } }),
  /** Address the instances' gRPC servers bind. */
  instance_host: z.string().default('127.0.0.1'),
  /**
   * Node agents (`fleetlab agent`, one per machine) that start the instances on their machines;
   * `instances` above is then not used. Without `nodes` the manager spawns local instances.
   */
  nodes: z
    .array(z.strictObject({
      /** The agent's host:port. */
      address: z.string().regex(/^[^:\s]+:\d{1,5}$/, 'host:port of a node agent, e.g. 127.0.0.2:7070'),
      /** Instances of the model this node runs. */
      instances: z.number().int().min(0).max(64),
    }))
    .min(1)
    .optional(),
  heartbeat: HeartbeatSpec,
  /**
   * Live migration between instances (Llumnix's stages; defaults as Llumnix's: 3 stages, the
   * last at ≤ 16 blocks, 1 migration at once per instance, the request suspended for the last
   * stage). Used when the scheduler has a pairing (or scales in by draining).
   */
  migration: z
    .strictObject({
      max_stages: z.number().int().min(1).default(DEFAULT_MIGRATION.max_stages),
      last_stage_max_blocks: z.number().int().min(0).default(DEFAULT_MIGRATION.last_stage_max_blocks),
      max_concurrency: z.number().int().min(1).default(DEFAULT_MIGRATION.max_concurrency),
      /** suspend (Llumnix's) or snapshot (the source keeps decoding; vllm-v1 instances only): docs/backend.md. */
      last_stage_mode: z.enum(['suspend', 'snapshot']).default('suspend'),
    })
    .prefault({}),
  /** Existing OpenAI-compatible servers (e.g. vLLM) dispatched to beside the instances; never migrated. */
  external: z.array(ExternalInstanceSpec).default([]),
})
  .refine((c) => c.nodes !== undefined || c.instances > 0 || c.external.length > 0, { message: 'at least 1 instance, or nodes, or external servers', path: ['instances'] })
  .refine((c) => c.migration.last_stage_mode !== 'snapshot' || c.engine.kind === 'vllm-v1', { message: 'the snapshot last stage needs vllm-v1 instances (the destination computes the tokens sent after the snapshot as one chunk); use suspend with vllm-v0', path: ['migration', 'last_stage_mode'] });
export type FleetConfig = z.output<typeof FleetConfig>;

export function parseFleetConfig(input: unknown, source?: string): FleetConfig {
  return parseConfig(FleetConfig, input ?? {}, '', source);
}

export function readFleetConfig(file: string): FleetConfig {
  return parseFleetConfig(readConfigText(file), file);
}

export function fleetOptions(c: FleetConfig): FleetOptions {
  const e = c.engine;
  return {
    instances: c.nodes === undefined ? c.instances : c.nodes.reduce((n, x) => n + x.instances, 0),
    host: c.instance_host,
    scheduler: c.scheduler,
    migration: c.migration,
    ...(c.nodes !== undefined ? { nodes: c.nodes, heartbeat: c.heartbeat } : {}),
    ...(c.external.length > 0 ? { external: c.external } : {}),
    engine: {
      model: c.model,
      engine_kind: e.kind,
      threads: e.threads,
      seed: e.seed,
      ...(e.num_kv_blocks !== undefined ? { num_kv_blocks: e.num_kv_blocks } : {}),
      ...(e.block_size_tokens !== undefined ? { block_size_tokens: e.block_size_tokens } : {}),
      ...(e.max_num_batched_tokens !== undefined ? { max_num_batched_tokens: e.max_num_batched_tokens } : {}),
      ...(e.max_num_seqs !== undefined ? { max_num_seqs: e.max_num_seqs } : {}),
      ...(e.max_model_len !== undefined ? { max_model_len: e.max_model_len } : {}),
      ...(e.enable_prefix_caching !== undefined ? { enable_prefix_caching: e.enable_prefix_caching } : {}),
    },
  };
}
