// TypeScript shapes of agent.proto's messages (proto-loader with keepCase, longs as numbers,
// defaults filled).
import type { ColdStart } from '../engine/cold-start.ts';

export interface InstanceInfoMessage {
  instance_id: number;
  pid: number;
  host: string;
  port: number;
  kv_port: number;
  max_model_len: number;
  model: string;
  /** Absent (null on the wire) when the instance did not report one. */
  cold_start: ColdStart | null;
  start_s: number;
}

export interface ModelHoldingMessage {
  model: string;
  name: string;
  bytes: number;
  on_disk: boolean;
  in_dram: boolean;
  instances: number;
}

export interface NodeReportMessage {
  node: string;
  seq: number;
  /** Drawn when the agent starts (a new one: the agent was restarted). */
  boot_id: string;
  instances: InstanceInfoMessage[];
  models: ModelHoldingMessage[];
  disk_read_gbps: number;
  dram_read_gbps: number;
  memcpy_gbps: number;
  dram_capacity_bytes: number;
  dram_used_bytes: number;
}

export interface ModelReplyMessage {
  holding: ModelHoldingMessage | null;
  seconds: number;
  done: boolean;
}
