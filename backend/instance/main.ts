// Entry of one instance process: `node --import tsx backend/instance/main.ts --options JSON`.
// Prints one JSON line `{"ready":true,"port":N,"kv_port":K,"pid":P,"max_model_len":L}` on stdout once serving; exits after Shutdown
// or SIGTERM (stop admitting, abort what runs, close).
import { LLMEngine, type LLMEngineOptions } from '../engine/llm-engine.ts';
import { startInstanceServer } from './instance-server.ts';

interface InstanceOptions {
  readonly host: string;
  readonly port: number;
  readonly engine: LLMEngineOptions;
}

function parseArgs(argv: readonly string[]): InstanceOptions {
  const at = argv.indexOf('--options');
  const raw = at < 0 ? undefined : argv[at + 1];
  if (raw === undefined) throw new Error('usage: instance/main.ts --options \'{"host":"127.0.0.1","port":0,"engine":{"model":"tiny"}}\'');
  return JSON.parse(raw) as InstanceOptions;
}

const options = parseArgs(process.argv.slice(2));
const engine = await LLMEngine.create(options.engine);
const server = await startInstanceServer(engine, options.host, options.port);
process.stdout.write(`${JSON.stringify({ ready: true, port: server.port, kv_port: server.kv_port, pid: process.pid, max_model_len: engine.max_model_len })}\n`);
process.once('SIGTERM', () => void server.stop());
process.once('SIGINT', () => void server.stop());
await server.closed;
process.exit(0);
