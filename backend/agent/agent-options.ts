// A node agent's settings with their defaults, checked field by field (the CLI and the process
// entry share them).
import path from 'node:path';
import { fleetlabCacheDir } from '../model/index.ts';
import type { AgentOptions } from './agent-server.ts';

export interface AgentSettings {
  readonly host?: string;
  readonly port?: number;
  /** Disk tier; default `<fleetlab cache>/nodes/<host>_<port>/models`. */
  readonly models_dir?: string;
  /** DRAM tier folder on tmpfs; default `/dev/shm/fleetlab-agent-<host>_<port>-<pid>`. */
  readonly dram_dir?: string;
  /** DRAM tier size in GiB (default 4, sllm-store's default pool; 0: no DRAM tier). */
  readonly dram_cache_gib?: number;
  readonly keep_alive_s?: number;
  readonly report_interval_ms?: number;
  /** Bandwidth probe in MiB (default 64; 0: not measured). */
  readonly probe_mib?: number;
  readonly dram_after_start?: boolean;
}

export const AGENT_DEFAULT_PORT = 7070;

function check(ok: boolean, field: string, value: unknown, expected: string): void {
  if (!ok) throw new Error(`${field} = ${JSON.stringify(value)}; expected ${expected}`);
}

export function agentOptions(s: AgentSettings): AgentOptions {
  const host = s.host ?? '127.0.0.1';
  const port = s.port ?? AGENT_DEFAULT_PORT;
  const gib = s.dram_cache_gib ?? 4;
  const keep = s.keep_alive_s ?? 600;
  const interval = s.report_interval_ms ?? 500;
  const probe = s.probe_mib ?? 64;
  check(host !== '', 'host', host, 'an address of this machine, e.g. 127.0.0.2');
  check(Number.isInteger(port) && port >= 0 && port <= 65535, 'port', port, 'a port in [0, 65535]');
  check(Number.isFinite(gib) && gib >= 0, 'dram_cache_gib', gib, 'a number of GiB >= 0');
  check(Number.isFinite(keep) && keep >= 0, 'keep_alive_s', keep, 'seconds >= 0');
  check(Number.isInteger(interval) && interval >= 10, 'report_interval_ms', interval, 'an integer >= 10');
  check(Number.isFinite(probe) && probe >= 0, 'probe_mib', probe, 'MiB >= 0');
  const tag = `${host}_${port}`;
  return {
    host, port,
    models_dir: path.resolve(s.models_dir ?? path.join(fleetlabCacheDir(), 'nodes', tag, 'models')),
    dram_dir: path.resolve(s.dram_dir ?? `/dev/shm/fleetlab-agent-${tag}-${process.pid}`),
    dram_capacity_bytes: Math.floor(gib * 2 ** 30),
    keep_alive_s: keep,
    report_interval_ms: interval,
    probe_bytes: Math.floor(probe * 2 ** 20 / 4096) * 4096,
    dram_after_start: s.dram_after_start ?? true,
  };
}
