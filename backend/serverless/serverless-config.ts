// `fleetlab serve --serverless nodes.yaml`: a serverless fleet whose nodes are node agents
// (`fleetlab agent`, one per machine), validated with zod. Each node is an agent's host:port and
// its instance slots; the same `heartbeat:` as the non-serverless fleet's `nodes:` takes.
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { z } from 'zod';
import { parseConfig } from '../../config/index.ts';
import type { ServerlessFleetOptions } from './fleet-state.ts';

export const ServerlessNodesConfig = z.strictObject({
  nodes: z
    .array(z.strictObject({
      /** The agent's host:port. */
      address: z.string().regex(/^[^:\s]+:\d{1,5}$/, 'host:port of a node agent, e.g. 127.0.0.2:7070'),
      /** Instance slots ("GPUs") of this node. */
      gpus: z.number().int().min(1).max(64).default(1),
    }))
    .min(1),
  /** Node reports (heartbeats): their period, and how many missed ones make an agent dead. */
  heartbeat: z.strictObject({ interval_ms: z.number().int().min(10).default(500), missed: z.number().int().min(1).default(3) }).prefault({}),
});
export type ServerlessNodesConfig = z.output<typeof ServerlessNodesConfig>;

export function parseServerlessNodesConfig(input: unknown, source?: string): ServerlessNodesConfig {
  return parseConfig(ServerlessNodesConfig, input ?? {}, '', source);
}

export function readServerlessNodesConfig(file: string): ServerlessNodesConfig {
  const text = readFileSync(file, 'utf8');
  return parseServerlessNodesConfig(file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text), file);
}

/** The fleet options of a nodes config: node i is the i-th agent. */
export function serverlessNodesOptions(c: ServerlessNodesConfig): Pick<ServerlessFleetOptions, 'nodes' | 'heartbeat'> {
  return { nodes: c.nodes.map((n, id) => ({ id, gpus: n.gpus, address: n.address })), heartbeat: c.heartbeat };
}
