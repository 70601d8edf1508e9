// Entry of one node agent process: `node --import tsx backend/agent/main.ts --options JSON`
// (AgentSettings). `fleetlab agent` runs the same thing from the CLI. Prints one JSON line
// `{"ready":true,"host":H,"port":P,"pid":N,"bandwidths":{…}}` once serving; SIGTERM/SIGINT stop
// its instances and remove its DRAM tier.
import { agentOptions, type AgentSettings } from './agent-options.ts';
import { startAgent } from './agent-server.ts';

const at = process.argv.indexOf('--options');
const raw = at < 0 ? undefined : process.argv[at + 1];
if (raw === undefined) throw new Error('usage: agent/main.ts --options \'{"host":"127.0.0.2","port":0}\'');
const agent = await startAgent(agentOptions(JSON.parse(raw) as AgentSettings));
process.stdout.write(`${JSON.stringify({ ready: true, host: agent.host, port: agent.port, pid: process.pid, bandwidths: agent.bandwidths ?? null })}\n`);
const stop = (): void => void agent.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
