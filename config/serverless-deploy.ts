/**
 * ServerlessLLM's deploy config (`sllm-cli deploy --config config.json`, reference §7.1): the
 * same JSON file deploys a model on the real backend (`fleetlab deploy`) and in the simulator
 * (a `models` entry of a serverless config). Field names, defaults and meanings are
 * upstream's; `backend_config.pretrained_model_name_or_path` names the checkpoint (an HF
 * folder or a tiny preset). Fields upstream accepts but fleetlab does not use
 * (`scheduler_config`, most of `backend_config`) are accepted and ignored, as upstream does.
 */
import { z } from 'zod';
import { ConfigError } from './errors.ts';
import { parseConfig } from './parse.ts';

/** Upstream writes node ids as strings ("0"); numbers are accepted too. */
const NodeId = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/, 'a node id such as "0"').transform(Number)]);

export const DeployAutoScaling = z.strictObject({
  /** `concurrency`: an instance takes up to `target` requests at once; anything else: 1. */
  metric: z.string().min(1).default('concurrency'),
  /** Target in-flight requests per instance. */
  target: z.number().int().positive().default(1),
  /** Floor; > 0 keeps instances warm. */
  min_instances: z.number().int().nonnegative().default(0),
  /** Ceiling. */
  max_instances: z.number().int().positive().default(10),
  /** Seconds an idle, over-provisioned instance is kept before unloading. */
  keep_alive: z.number().nonnegative().default(0),
});

export const DeployConfig = z
  .strictObject({
    /** The name requests ask for (`model` of the API). */
    model: z.string().min(1),
    /** Upstream: vllm | transformers | dummy. fleetlab serves every one with its own engine. */
    backend: z.enum(['transformers', 'vllm', 'dummy', 'fleetlab']).default('transformers'),
    /** GPUs per instance (instance slots of one node). */
    num_gpus: z.number().int().positive().default(1),
    auto_scaling_config: DeployAutoScaling.prefault({}),
    backend_config: z
      .looseObject({
        /** The checkpoint: an HF folder or a tiny preset; default `model`. */
        pretrained_model_name_or_path: z.string().min(1).optional(),
      })
      .prefault({}),
    placement_config: z
      .looseObject({
        /** Nodes whose local disk holds the checkpoint. */
        local_disk: z.array(NodeId).optional(),
        /** Nodes that also hold it in their DRAM pool (pre-loaded at deploy). */
        memory_pool: z.array(NodeId).optional(),
      })
      .prefault({}),
    router_config: z
      .looseObject({
        /** Live-migration stop threshold, tokens (upstream default 20). */
        migration_delta: z.number().int().nonnegative().default(20),
      })
      .prefault({}),
    /** Present in upstream's examples and ignored there too. */
    scheduler_config: z.looseObject({}).optional(),
  })
  .superRefine((c, ctx) => {
    const a = c.auto_scaling_config;
    if (a.min_instances > a.max_instances) {
      ctx.addIssue({ code: 'custom', path: ['auto_scaling_config', 'min_instances'], input: a.min_instances, message: `at most auto_scaling_config.max_instances (${a.max_instances})` });
    }
  });

export type DeployConfig = z.output<typeof DeployConfig>;
export type DeployConfigInput = z.input<typeof DeployConfig>;

/** Validates a deploy config (errors name the field, the value and what was expected). */
export function parseDeployConfig(input: unknown, source?: string): DeployConfig {
  return parseConfig(DeployConfig, input, '', source);
}

/** Parses the text of a deploy file: bad JSON is a ConfigError too, naming the file. */
export function parseDeployJson(text: string, source: string): DeployConfig {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (err) {
    throw ConfigError.single('(the whole file)', `valid JSON (${err instanceof Error ? err.message : String(err)})`, text, { source });
  }
  return parseDeployConfig(input, source);
}
