// The real fleet on the CPU with the tiny model (issue 13 item 8):
//   1. a fleet of --instances instance processes behind the OpenAI API under a Poisson load
//      (fleetlab's `bench serve` client): throughput, TTFT and ITL P50/P99;
//   2. the API + manager overhead per output token against the engine alone, measured in the
//      same run at --streams concurrent streams (target < 5 %);
//   3. migration downtime against sequence length (Llumnix Fig. 10) for live migration, with
//      stop-and-copy and recompute measured beside it (bench/serve-downtime.ts says how).
//   npm run bench:serve -- [--instances 2] [--rate 4] [--prompts 32] [--input-len 64] [--output-len 64]
//                          [--streams 64] [--repeats 3] [--lengths 64,256,512,1024,1536] [--seed 0] [--sections 1,2,3]
// Every instance and the engine alone get one compute thread. No figure here is asserted:
// on a shared machine they move with its load, which is printed beside them.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createApiServer, StaticEngineRouter } from '../backend/api/index.ts';
import { LLMEngine } from '../backend/engine/llm-engine.ts';
import { Fleet } from '../backend/manager/fleet.ts';
import { startInstanceProcess } from '../backend/manager/instance-process.ts';
import { InstanceClient } from '../backend/rpc/instance-client.ts';
import { BenchServeOptionsSchema, benchServe } from '../loadgen/index.ts';
import { downtimeTable, type Endpoint } from './serve-downtime.ts';

const { values: a } = parseArgs({ options: {
  instances: { type: 'string', default: '2' }, rate: { type: 'string', default: '4' }, prompts: { type: 'string', default: '32' },
  'input-len': { type: 'string', default: '64' }, 'output-len': { type: 'string', default: '64' }, streams: { type: 'string', default: '64' },
  repeats: { type: 'string', default: '3' }, sections: { type: 'string', default: '1,2,3' }, lengths: { type: 'string', default: '64,256,512,1024,1536' }, seed: { type: 'string', default: '0' },
} });
const instances = Number(a.instances), rate = Number(a.rate), prompts = Number(a.prompts), inputLen = Number(a['input-len']);
const outputLen = Number(a['output-len']), streams = Number(a.streams), repeats = Number(a.repeats), seed = Number(a.seed);
const lengths = a.lengths.split(',').map(Number);
const sections = new Set(a.sections.split(',').map(Number));
if (sections.size === 0 || [...sections].some((x) => ![1, 2, 3].includes(x))) throw new Error(`--sections = ${a.sections}; expected some of 1,2,3`);
for (const [name, v] of Object.entries({ instances, rate, prompts, 'input-len': inputLen, 'output-len': outputLen, streams, repeats })) {
  if (!(v > 0)) throw new Error(`--${name} = ${v}; expected a positive number`);
}
if (lengths.some((l) => !Number.isInteger(l) || l < 1 || l > 1900)) throw new Error(`--lengths = ${a.lengths}; expected integers in 1..1900 (the tiny model's context is 2048)`);

const engine = { model: 'tiny', threads: 1, seed } as const;
const load = (): string => os.loadavg().map((x) => x.toFixed(1)).join(' ');
const table = (rows: (string | number)[][]): string => {
  const cells = rows.map((r) => r.map(String));
  const width = cells[0]!.map((_, c) => Math.max(...cells.map((r) => r[c]!.length)));
  return cells.map((r) => r.map((x, c) => x.padStart(width[c]!)).join('  ')).join('\n');
};
const ms = (x: number): string => (Number.isFinite(x) ? (Math.abs(x) < 10 ? x.toFixed(2) : x.toFixed(1)) : '—');
/** CPU milliseconds this process has used (all its threads). */
const ownCpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
};
/** CPU milliseconds another process has used (Linux /proc; utime + stime at 100 ticks/s); NaN elsewhere. */
const cpuMsOf = (pid: number): number => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
};

console.log(`bench:serve — tiny model, CPU (${os.cpus()[0]?.model ?? '?'}, ${os.availableParallelism()} cores), load average ${load()} at start`);

/**
 * POSTs `body` and reads the whole streamed answer with node:http (the client shares this
 * process with the API and the manager, so a lighter client than fetch's WHATWG streams leaves
 * less of its own cost in the API's figure).
 */
function postStream(url: string, body: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** A fleet behind the API on a free port. */
async function servedFleet(n: number): Promise<{ fleet: Fleet; url: string; close: () => Promise<void> }> {
  const fleet = await Fleet.start({ instances: n, engine, scheduler: { dispatch: { kind: 'load' } } });
  const api = createApiServer({ router: new StaticEngineRouter([fleet]) });
  const url = await api.listen({ port: 0 });
  return { fleet, url, close: async () => { await api.close(); await fleet.stop(); } };
}

// 1. Poisson load on the fleet.
if (sections.has(1)) {
  const { url, close } = await servedFleet(instances);
  try {
    const o = BenchServeOptionsSchema.parse({
      base_url: url, model: 'tiny', random_input_len: inputLen, random_output_len: outputLen, request_rate: rate, num_prompts: prompts,
      ignore_eos: true, seed, metric_percentiles: [50, 99], percentile_metrics: ['ttft', 'itl'],
    });
    const r = (await benchServe(o)).result as Record<string, number>;
    console.log(`\n1. ${instances} instances, Poisson arrivals at ${rate} req/s, ${prompts} requests of ${inputLen} → ${outputLen} tokens (load average ${load()})`);
    console.log(table([
      ['completed', 'failed', 'req/s', 'output tok/s', 'TTFT P50 ms', 'TTFT P99 ms', 'ITL P50 ms', 'ITL P99 ms'],
      [r['completed']!, r['failed']!, r['request_throughput']!.toFixed(2), r['output_throughput']!.toFixed(1), ms(r['p50_ttft_ms']!), ms(r['p99_ttft_ms']!), ms(r['p50_itl_ms']!), ms(r['p99_itl_ms']!)],
    ]));
  } finally {
    await close();
  }
}

// 2. API + manager overhead per output token at `streams` concurrent streams, against the engine alone.
if (sections.has(2)) {
  const prompt = (i: number): number[] => Array.from({ length: inputLen }, (_, j) => (i * 97 + j * 31 + 5) % 1000);
  const sampling = { max_tokens: outputLen, temperature: 0, top_p: 1, top_k: -1, stop: [], stop_token_ids: [], ignore_eos: true };
  interface PerToken { wall_ms: number; cpu_ms: number; instance_cpu_ms: number }
  const WARM_UP_TOKENS = 8;
  // Both sides first run every stream for a few tokens, untimed: a fresh instance process
  // would otherwise be measured while its JIT compiles the per-token path, and the engine alone
  // (in this process) is warm after its first repeat.
  async function engineAlone(): Promise<PerToken> {
    const e = await LLMEngine.create(engine);
    const round = async (tag: string, max_tokens: number): Promise<number> => {
      let tokens = 0;
      await Promise.all(Array.from({ length: streams }, async (_, i) => {
        for await (const d of e.generate({ request_id: `${tag}${i}`, prompt_token_ids: prompt(i), sampling: { ...sampling, max_tokens } })) tokens += d.token_ids.length;
      }));
      return tokens;
    };
    try {
      await round('w', WARM_UP_TOKENS);
      const c0 = ownCpuMs();
      const t0 = performance.now();
      const tokens = await round('e', outputLen);
      const cpu_ms = (ownCpuMs() - c0) / tokens;
      return { wall_ms: (performance.now() - t0) / tokens, cpu_ms, instance_cpu_ms: cpu_ms };
    } finally {
      await e.shutdown();
    }
  }
  async function throughApi(): Promise<PerToken> {
    const { fleet, url, close } = await servedFleet(1);
    const pid = fleet.pids[0]!;
    const round = async (max_tokens: number): Promise<number> => {
      let tokens = 0;
      await Promise.all(Array.from({ length: streams }, async (_, i) => {
        const { status, text } = await postStream(`${url}/v1/completions`, {
          model: 'tiny', prompt: prompt(i), max_tokens, temperature: 0, ignore_eos: true, stream: true, stream_options: { include_usage: true },
        });
        const usage = /"completion_tokens":(\d+)/.exec(text);
        if (status !== 200 || usage === null) throw new Error(`stream ${i}: HTTP ${status} ${text.slice(0, 200)}`);
        tokens += Number(usage[1]);
      }));
      return tokens;
    };
    try {
      await round(WARM_UP_TOKENS);
      const c0 = ownCpuMs();
      const i0 = cpuMsOf(pid);
      const t0 = performance.now();
      const tokens = await round(outputLen);
      const instance_cpu_ms = (cpuMsOf(pid) - i0) / tokens;
      return { wall_ms: (performance.now() - t0) / tokens, cpu_ms: (ownCpuMs() - c0) / tokens + instance_cpu_ms, instance_cpu_ms };
    } finally {
      await close();
    }
  }
  // Interleaved, best of `repeats` each: the machine's load drifts between runs.
  const best = (xs: PerToken[], k: keyof PerToken): number => Math.min(...xs.map((x) => x[k]));
  const alone: PerToken[] = [];
  const api: PerToken[] = [];
  for (let r = 0; r < repeats; r++) {
    alone.push(await engineAlone());
    api.push(await throughApi());
  }
  console.log(`\n2. Overhead of the API + manager per output token, ${streams} concurrent streams of ${inputLen} → ${outputLen} tokens, 1 instance, best of ${repeats} (load average ${load()})`);
  console.log('   wall: elapsed time / tokens; CPU: CPU time / tokens of every process involved (through the API: the instance process, and this');
  console.log('   process running the API, the manager and the HTTP client, so the client\'s parsing counts against the API: an upper bound)');
  const row = (k: keyof PerToken): (string | number)[] => {
    const e = best(alone, k);
    const f = best(api, k);
    const overhead = (f - e) / e;
    return [{ wall_ms: 'wall', cpu_ms: 'CPU, all processes', instance_cpu_ms: 'CPU, the engine\'s process' }[k], e.toFixed(3), f.toFixed(3), `${(overhead * 100).toFixed(1)} %`, '< 5 %', overhead < 0.05 ? 'met' : 'not met'];
  };
  console.log(table([['measure', 'engine alone ms/token', 'API + manager ms/token', 'overhead', 'target', 'verdict'], row('wall_ms'), row('cpu_ms'), row('instance_cpu_ms')]));
}

// 3. Migration downtime against sequence length.
if (sections.has(3)) {
  const procs = [await startInstanceProcess(engine), await startInstanceProcess(engine)];
  const ends: Endpoint[] = procs.map((p) => ({ process: p, client: new InstanceClient(`${p.host}:${p.port}`) }));
  try {
    // A warm-up round first (it moves requests both ways): the first migration between two processes dials the peer and opens the KV connection.
    await downtimeTable(ends[0]!, ends[1]!, [lengths[0]!], 1, 16);
    const rows = await downtimeTable(ends[0]!, ends[1]!, lengths, repeats, 16);
    console.log(`\n3. Migration downtime (client-observed stall, median of ${repeats}: the gap at the move, last token from the source → first from the destination, and the longest gap`);
    console.log(`   between two tokens anywhere in the stream) against sequence length (load average ${load()})`);
    console.log(table([
      ['tokens', 'blocks', 'decode step ms', 'live: at move ms', 'longest ms', 'live (source) ms', 'stages', 'live ≤1: at move ms', 'longest ms', 'stages', 'stop-and-copy: at move ms', 'longest ms', 'stop-and-copy (source) ms', 'recompute: at move ms', 'longest ms'],
      ...rows.map((r) => [r.length_tokens, r.blocks, ms(r.step_ms), ms(r.live_switch_ms), ms(r.live_ms), ms(r.live_source_ms), r.live_stages, ms(r.live_fine_switch_ms), ms(r.live_fine_ms), r.live_fine_stages,
        ms(r.stop_copy_switch_ms), ms(r.stop_copy_ms), ms(r.stop_copy_source_ms), ms(r.recompute_switch_ms), ms(r.recompute_ms)]),
    ]));
    console.log(`\n3b. Live migration's last stage, phase by phase (median of ${repeats}, ms). While suspended: suspend wait (the step in flight ends) → PreAlloc → connect → copy → COMMIT;`);
    console.log('    "suspended → dst token": out of the source\'s batch → the destination\'s first token produced (Llumnix\'s downtime, with that step), split into "commit → dst token"');
    console.log('    (from the COMMIT\'s acknowledgement at the source) and "delivery" (that token produced → received by the client); "switch → dst token": the client\'s');
    console.log('    stream switched to the destination (attached ahead; at its COMMIT, or at the source\'s marker) → its first token received. "stall − step": the gap');
    console.log('    at the move less one decode step. Before suspending: PreAlloc ahead, KV connection, the full blocks copied.');
    console.log(table([
      ['tokens', 'decode step', 'suspend wait', 'prealloc', 'connect', 'copy', 'commit', 'suspended total', 'blocks', 'suspended → dst token', 'commit → dst token', 'delivery', 'switch → dst token', 'stall − step', 'prealloc ahead', 'connect ahead', 'copy ahead', 'blocks ahead', 'conn reused'],
      ...rows.map((r) => {
        const p = r.live_phases;
        return [r.length_tokens, ms(r.step_ms), ms(p.suspend_wait_ms), ms(p.prealloc_ms), ms(p.connect_ms), ms(p.copy_ms), ms(p.commit_ms), ms(p.prealloc_ms + p.connect_ms + p.copy_ms + p.commit_ms),
          p.blocks, ms(p.resume_ms), ms(p.commit_to_token_ms), ms(p.delivery_ms), ms(p.attach_ms), ms(r.live_switch_ms - r.step_ms), ms(p.prealloc_ahead_ms), ms(p.connect_ahead_ms), ms(p.copy_ahead_ms), p.blocks_ahead, `${p.reused}/${p.count}`];
      }),
    ]));
  } finally {
    for (const e of ends) e.client.close();
    await Promise.all(procs.map((p) => p.stop()));
  }
}
console.log(`\nload average ${load()} at the end`);
