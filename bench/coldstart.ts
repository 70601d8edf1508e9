// Cold-start benchmark of a node agent (ServerlessLLM's "startup latency", issue 14 item 7):
// a model started into a serving engine from the disk tier and from the DRAM tier, through the
// whole path (agent StartInstance -> instance process -> native loader -> engine -> first token
// served over gRPC), beside the raw read bandwidths (disk with O_DIRECT, DRAM tier) and memcpy
// bandwidth measured in the same run by the agent's probe.
//   npm run bench:coldstart -- [--layers 6] [--repeats 3] [--out results/coldstart]
// The model is a random Qwen2-shaped bf16 model made once (tiny-3b's family, hidden 1024,
// --layers deep: ~22 MB a layer), large enough that reading it takes measurable time.
// Page cache: the bench tries to drop it before every disk start (needs root outside a
// container); when it cannot, it says so, and the disk numbers still come from O_DIRECT reads
// (the loader's io mode is printed), which bypass the page cache.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { agentOptions } from '../backend/agent/agent-options.ts';
import { startAgent } from '../backend/agent/agent-server.ts';
import { parseSamplingParams } from '../backend/engine/sampling-params.ts';
import { fleetlabCacheDir, makeTinyModel } from '../backend/model/index.ts';
import type { InstanceInfoMessage } from '../backend/rpc/agent-messages.ts';
import { AgentClient } from '../backend/rpc/agent-client.ts';
import { InstanceClient } from '../backend/rpc/instance-client.ts';

const { values: a } = parseArgs({ options: {
  layers: { type: 'string', default: '6' }, repeats: { type: 'string', default: '3' }, out: { type: 'string', default: 'results/coldstart' },
} });
const layers = Number(a.layers);
const repeats = Number(a.repeats);
if (!Number.isInteger(layers) || layers < 1) throw new Error(`--layers ${a.layers}: expected an integer >= 1`);
if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`--repeats ${a.repeats}: expected an integer >= 1`);

const modelDir = path.join(fleetlabCacheDir(), 'models', `bench-coldstart-${layers}l`);
if (!(await stat(modelDir).then(() => true, () => false))) {
  console.log(`making the bench model (${layers} layers) in ${modelDir} …`);
  await makeTinyModel({ preset: 'tiny-3b', layers, hidden: 1024, heads: 16, kv_heads: 2, intermediate: 2816, seed: 1, out: modelDir });
}

/** Drops the page cache when allowed; returns why not otherwise. */
function dropPageCache(): string | undefined {
  try {
    execFileSync('sync');
    writeFileSync('/proc/sys/vm/drop_caches', '3\n');
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err);
  }
}

const work = mkdtempSync(path.join(tmpdir(), 'fleetlab-coldstart-'));
const shm = mkdtempSync('/dev/shm/fleetlab-coldstart-');
const engine = { model: modelDir, num_kv_blocks: 64, threads: 1 };
const sampling = parseSamplingParams({ max_tokens: 1, temperature: 0, ignore_eos: true });

interface Row {
  tier: 'disk' | 'dram';
  source: string;
  start_s: number;
  first_token_s: number;
  read_s: number;
  verify_s: number;
  copy_s: number;
  init_s: number;
  bytes: number;
}

const agent = await startAgent(agentOptions({ host: '127.0.0.1', port: 0, models_dir: path.join(work, 'models'), dram_dir: shm, probe_mib: 256, dram_after_start: false, dram_cache_gib: 4 }));
const client = new AgentClient(`127.0.0.1:${agent.port}`);
const rows: Row[] = [];
let dropFailure: string | undefined;
try {
  const reg = await client.registerModel(modelDir);
  console.log(`registered: ${((reg.holding?.bytes ?? 0) / 2 ** 20).toFixed(1)} MiB checkpoint in the disk tier (conversion ${reg.seconds.toFixed(2)} s)`);

  /** One start into a serving engine and its first token, timed from the StartInstance call. */
  const startOnce = async (tier: Row['tier']): Promise<Row> => {
    const t0 = performance.now();
    const info: InstanceInfoMessage = await client.startInstance(engine);
    const ic = new InstanceClient(`${info.host}:${info.port}`);
    for await (const d of ic.generate({ request_id: `first-${rows.length}`, prompt_token_ids: [1, 2, 3, 4], sampling })) if (d.token_ids.length > 0) break;
    const first_token_s = (performance.now() - t0) / 1e3;
    ic.close();
    await client.stopInstance(info.instance_id);
    const c = info.cold_start;
    if (c === null) throw new Error('the instance reported no cold start');
    return { tier, source: c.source, start_s: info.start_s, first_token_s, read_s: c.read_s, verify_s: c.verify_s, copy_s: c.copy_s, init_s: c.init_s, bytes: c.bytes };
  };

  for (let r = 0; r < repeats; r++) {
    await client.unloadModel(modelDir);
    dropFailure = dropPageCache() ?? dropFailure;
    rows.push(await startOnce('disk'));
    await client.loadModel(modelDir);
    rows.push(await startOnce('dram'));
  }
} finally {
  client.close();
  await agent.stop();
  rmSync(work, { recursive: true, force: true });
  rmSync(shm, { recursive: true, force: true });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length === 0 ? Number.NaN : s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const b = agent.bandwidths!;
const bytes = rows[0]!.bytes;
const ms = (s: number): string => (s * 1e3).toFixed(1);
const lines = [
  `# Cold start: ${(bytes / 2 ** 20).toFixed(1)} MiB model (${layers} layers, bf16), ${repeats} start(s) per tier, medians`,
  '',
  `Page cache: ${dropFailure === undefined ? 'dropped before every disk start' : `could not be dropped (${dropFailure}); disk reads are O_DIRECT (io mode ${b.disk_io_mode}), which bypasses it`}.`,
  '',
  `Raw bandwidths in the same run (${(b.probe_bytes / 2 ** 20).toFixed(0)} MiB probe): disk read ${b.disk_read_gbps.toFixed(2)} GB/s (${b.disk_io_mode}), DRAM-tier read ${b.dram_read_gbps.toFixed(2)} GB/s, memcpy ${b.memcpy_gbps.toFixed(2)} GB/s (into touched memory), first touch of fresh memory ${b.first_touch_gbps.toFixed(2)} GB/s.`,
  '',
  '| tier | source reported | start → first token ms | agent start ms | read ms | read GB/s | verify ms | copy ms | init ms |',
  '|---|---|---|---|---|---|---|---|---|',
  ...(['disk', 'dram'] as const).map((tier) => {
    const rs = rows.filter((r) => r.tier === tier);
    const m = (k: keyof Omit<Row, 'tier' | 'source'>): number => median(rs.map((r) => r[k]));
    return `| ${tier} | ${[...new Set(rs.map((r) => r.source))].join(', ')} | ${ms(m('first_token_s'))} | ${ms(m('start_s'))} | ${ms(m('read_s'))} | ${(bytes / m('read_s') / 1e9).toFixed(2)} | ${ms(m('verify_s'))} | ${ms(m('copy_s'))} | ${ms(m('init_s'))} |`;
  }),
];
console.log(`\n${lines.join('\n')}`);
mkdirSync(a.out, { recursive: true });
writeFileSync(path.join(a.out, 'coldstart.md'), `${lines.join('\n')}\n`);
writeFileSync(path.join(a.out, 'coldstart.json'), `${JSON.stringify({ model_bytes: bytes, layers, repeats, page_cache_dropped: dropFailure === undefined, page_cache_error: dropFailure ?? null, bandwidths: b, starts: rows }, null, 1)}\n`);
console.log(`\nwrote ${path.join(a.out, 'coldstart.md')} and coldstart.json`);
process.exit(0);
