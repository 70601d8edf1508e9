// Entry of one instance process: `node --import tsx backend/instance/main.ts --options JSON`.
// Prints one JSON line `{"ready":true,"port":N,"kv_port":K,"pid":P,"max_model_len":L,"cold_start":{…}}` on stdout once serving
// (cold_start: the load's stages, backend/engine/cold-start.ts); exits after Shutdown or SIGTERM
// (stop admitting, abort what runs, close), or, with exit_with_parent, when its stdin closes
// (the node agent that started it is gone: its instances go with it).
import { LLMEngine, type LLMEngineOptions } from '../engine/llm-engine.ts';
import { startInstanceServer } from './instance-server.ts';

interface InstanceOptions {
  readonly host: string;
  readonly port: number;
  readonly engine: LLMEngineOptions;
  readonly exit_with_parent?: boolean;
}

function parseArgs(argv: readonly string[]): InstanceOptions {
  const at = argv.indexOf('--options');
  const raw = at < 0 ? undefined : argv[at + 1];
  if (raw === undefined) throw new Error('usage: instance/main.ts --options \'{"host":"127.0.0.1","port":0,"engine":{"model":"tiny"}}\'');
  return JSON.parse(raw) as InstanceOptions;
}

const options = parseArgs(process.argv.slice(2));
if (options.exit_with_parent === true) {
  process.stdin.resume();
  process.stdin.once('close', () => process.exit(1));
}
const engine = await LLMEngine.create(options.engine);
const server = await startInstanceServer(engine, options.host, options.port);
process.stdout.write(`${JSON.stringify({ ready: true, port: server.port, kv_port: server.kv_port, pid: process.pid, max_model_len: engine.max_model_len, cold_start: engine.cold_start })}\n`);
process.once('SIGTERM', () => void server.stop());
process.once('SIGINT', () => void server.stop());
await server.closed;
process.exit(0);
