// `fleetlab serve --serverless nodes.yaml`: a serverless fleet whose nodes are node agents
// (`fleetlab agent`, one per machine), validated with zod. Each node is an agent's host:port and
// its instance slots; the same `heartbeat:` as the non-serverless fleet's `nodes:` takes.
import { z } from 'zod';
import { parseConfig } from '../../config/index.ts';
import { HeartbeatSpec, readConfigText } from '../manager/fleet-config.ts';
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
  heartbeat: HeartbeatSpec,
});
export type ServerlessNodesConfig = z.output<typeof ServerlessNodesConfig>;

export function parseServerlessNodesConfig(input: unknown, source?: string): ServerlessNodesConfig {
  return parseConfig(ServerlessNodesConfig, input ?? {}, '', source);
}

export function readServerlessNodesConfig(file: string): ServerlessNodesConfig {
  return parseServerlessNodesConfig(readConfigText(file, '--serverless'), file);
}

/** The fleet options of a nodes config: node i is the i-th agent. */
export function serverlessNodesOptions(c: ServerlessNodesConfig): Pick<ServerlessFleetOptions, 'nodes' | 'heartbeat'> {
  return { nodes: c.nodes.map((n, id) => ({ id, gpus: n.gpus, address: n.address })), heartbeat: c.heartbeat };
}
