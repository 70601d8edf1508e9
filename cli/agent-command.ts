/**
 * `fleetlab agent --host 127.0.0.2 --port 7070 [--models-dir DIR] [--dram-cache-gib N]`: the node
 * agent of one machine (backend/agent/): starts and stops instance processes there for the
 * manager, holds the node's checkpoint store, streams node reports (heartbeats).
 */
import type { Command } from '@commander-js/extra-typings';
import { finite, nonNegative, port, positive } from './arg-parsers.ts';
import { AGENT_DEFAULT_PORT, agentOptions } from '../backend/agent/agent-options.ts';
import { startAgent } from '../backend/agent/agent-server.ts';

export function registerAgentCommand(program: Command): void {
  program
    .command('agent')
    .description('run a node agent on this machine: instance processes and the checkpoint store, driven by a `fleetlab serve` whose config lists this node')
    .option('--host <host>', 'address the agent and its instances bind (this machine on the cluster network)', '127.0.0.1')
    .option('--port <port>', 'port the agent listens on (0: any free port)', port, AGENT_DEFAULT_PORT)
    .option('--models-dir <dir>', 'disk tier of the checkpoint store (default <fleetlab cache>/nodes/<host>_<port>/models)')
    .option('--dram-dir <dir>', 'DRAM tier: a folder on tmpfs (default /dev/shm/fleetlab-agent-<host>_<port>-<pid>)')
    .option('--dram-cache-gib <n>', 'DRAM tier size in GiB (0: none)', finite, 4)
    .option('--keep-alive-s <s>', 'seconds a model stays in DRAM after its last instance stopped', finite, 600)
    .option('--report-interval-ms <ms>', 'default node-report (heartbeat) period', positive, 500)
    .option('--probe-mib <n>', 'size of the bandwidth probe run at start (0: skip)', nonNegative, 64)
    .action(async (opts) => {
      const agent = await startAgent(agentOptions({
        host: opts.host, port: opts.port, dram_cache_gib: opts.dramCacheGib, keep_alive_s: opts.keepAliveS,
        report_interval_ms: opts.reportIntervalMs, probe_mib: opts.probeMib,
        ...(opts.modelsDir !== undefined ? { models_dir: opts.modelsDir } : {}),
        ...(opts.dramDir !== undefined ? { dram_dir: opts.dramDir } : {}),
      }));
      const b = agent.bandwidths;
      console.error(`fleetlab agent: listening on ${agent.host}:${agent.port}; models in ${agent.store.opts.models_dir}, DRAM tier ${agent.store.opts.dram_dir}` +
        (b === undefined ? '' : `; disk read ${b.disk_read_gbps.toFixed(2)} GB/s (${b.disk_io_mode}), DRAM read ${b.dram_read_gbps.toFixed(2)} GB/s, memcpy ${b.memcpy_gbps.toFixed(2)} GB/s`));
      console.log(JSON.stringify({ ready: true, host: agent.host, port: agent.port, pid: process.pid, bandwidths: b ?? null }));
      const stop = (): void => void agent.stop().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
