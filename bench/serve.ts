// The real fleet on the CPU with the tiny model (issue 13 item 8):
//   1. a fleet of --instances instance processes behind the OpenAI API under a Poisson load
//      (fleetlab's `bench serve` client): throughput, TTFT and ITL P50/P99;
//   2. the API + manager overhead per output token against the engine alone, measured in the
//      same run at --streams concurrent streams (target < 5 %), and (2b) the CPU time per token
//      of each process and thread: the engine's main thread and its other threads (the forward
//      pass), the manager's, and the HTTP client's, which runs in a process of its own
//      (bench/serve-client.ts) and is not counted; (2c) where a round's wall time goes on each
//      side; (2d) the floor: a bare server streaming the same events, no engine or API;
//   3. migration downtime against sequence length (Llumnix Fig. 10) for live migration, with
//      stop-and-copy and recompute measured beside it (bench/serve-downtime.ts says how).
//   npm run bench:serve -- [--model tiny] [--instances 2] [--rate 4] [--prompts 32] [--input-len 64] [--output-len 64]
//                          [--streams 64] [--repeats 3] [--lengths 64,256,512,1024,1536] [--seed 0] [--sections 1,2,3]
//                          [--source-busy 0 | --source-tokens 8192]
// --model: a tiny preset's name or a model folder. Section 3's source carries nothing else by
// default; --source-busy N adds N requests of 64 tokens, --source-tokens T Llumnix's Fig. 10
// setup (⌊T/L⌋ requests of L tokens on the source, the moved one included; the paper: 8,192),
// so that "one decode step" is the loaded source's step, as in the paper.
// Every instance and the engine alone get one compute thread. No figure here is asserted:
// on a shared machine they move with its load, which is printed beside them.
import { fork } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createApiServer, StaticEngineRouter } from '../backend/api/index.ts';
import { LLMEngine, type StepTiming } from '../backend/engine/llm-engine.ts';
import { Fleet } from '../backend/manager/fleet.ts';
import { startInstanceProcess } from '../backend/manager/instance-process.ts';
import { InstanceClient } from '../backend/rpc/instance-client.ts';
import { BenchServeOptionsSchema, benchServe } from '../loadgen/index.ts';
import { cpuPerToken, processCpuMs } from './process-cpu.ts';
import type { ClientReply, ClientRound } from './serve-client.ts';
import { downtimeTable, type Endpoint } from './serve-downtime.ts';
import { startSseFloor } from './serve-floor.ts';
import { type RoundTimeline, roundTimeline } from './serve-round.ts';
import { streamPrompt } from './serve-streams.ts';
import type { SourceLoad } from './serve-downtime.ts';
import { UNIX_ORIGIN_MS } from '../backend/rpc/machine-clock.ts';

const { values: a } = parseArgs({ options: {
  model: { type: 'string', default: 'tiny' }, 'source-tokens': { type: 'string', default: '0' },
  instances: { type: 'string', default: '2' }, rate: { type: 'string', default: '4' }, prompts: { type: 'string', default: '32' },
  'input-len': { type: 'string', default: '64' }, 'output-len': { type: 'string', default: '64' }, streams: { type: 'string', default: '64' },
  repeats: { type: 'string', default: '3' }, sections: { type: 'string', default: '1,2,3' }, lengths: { type: 'string', default: '64,256,512,1024,1536' }, 'source-busy': { type: 'string', default: '0' }, seed: { type: 'string', default: '0' },
} });
const instances = Number(a.instances), rate = Number(a.rate), prompts = Number(a.prompts), inputLen = Number(a['input-len']);
const outputLen = Number(a['output-len']), streams = Number(a.streams), repeats = Number(a.repeats), seed = Number(a.seed);
const lengths = a.lengths.split(',').map(Number);
const sourceBusy = Number(a['source-busy']);
if (!Number.isInteger(sourceBusy) || sourceBusy < 0 || sourceBusy > 32) throw new Error(`--source-busy = ${a['source-busy']}; expected an integer in 0..32 (other requests decoding on the source during section 3)`);
const sourceTokens = Number(a['source-tokens']);
if (!Number.isInteger(sourceTokens) || sourceTokens < 0) throw new Error(`--source-tokens = ${a['source-tokens']}; expected an integer ≥ 0 (tokens held on the source during section 3, Llumnix Fig. 10: 8192)`);
if (sourceTokens > 0 && sourceBusy > 0) throw new Error(`--source-busy = ${sourceBusy} and --source-tokens = ${sourceTokens}; expected at most one of them`);
const sections = new Set(a.sections.split(',').map(Number));
if (sections.size === 0 || [...sections].some((x) => ![1, 2, 3].includes(x))) throw new Error(`--sections = ${a.sections}; expected some of 1,2,3`);
for (const [name, v] of Object.entries({ instances, rate, prompts, 'input-len': inputLen, 'output-len': outputLen, streams, repeats })) {
  if (!(v > 0)) throw new Error(`--${name} = ${v}; expected a positive number`);
}
if (lengths.some((l) => !Number.isInteger(l) || l < 1)) throw new Error(`--lengths = ${a.lengths}; expected positive integers (each also below the model's context, checked once it is loaded)`);

const model = a.model;
const engine = { model, threads: 1, seed } as const;
const load = (): string => os.loadavg().map((x) => x.toFixed(1)).join(' ');
const table = (rows: (string | number)[][]): string => {
  const cells = rows.map((r) => r.map(String));
  const width = cells[0]!.map((_, c) => Math.max(...cells.map((r) => r[c]!.length)));
  return cells.map((r) => r.map((x, c) => x.padStart(width[c]!)).join('  ')).join('\n');
};
/** A `performance.now()` reading on the Unix clock the engines stamp their steps with. */
const unixMs = (now: number): number => UNIX_ORIGIN_MS + now;
const ms = (x: number): string => (Number.isFinite(x) ? (Math.abs(x) < 10 ? x.toFixed(2) : x.toFixed(1)) : '—');
console.log(`bench:serve — model ${model}, CPU (${os.cpus()[0]?.model ?? '?'}, ${os.availableParallelism()} cores), load average ${load()} at start`);

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
      base_url: url, model, random_input_len: inputLen, random_output_len: outputLen, request_rate: rate, num_prompts: prompts,
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
  const sampling = { max_tokens: outputLen, temperature: 0, top_p: 1, top_k: -1, stop: [], stop_token_ids: [], ignore_eos: true };
  /** CPU ms per token of one process, main thread and the others (forward pass, GC helpers). */
  type Split = ReturnType<typeof cpuPerToken>;
  interface PerToken { wall_ms: number; engine: Split; manager?: Split; client_ms?: number; steps: number; timeline: RoundTimeline }
  const WARM_UP_TOKENS = 8;
  // Both sides first run every stream for a few tokens, untimed: a fresh instance process
  // would otherwise be measured while its JIT compiles the per-token path, and the engine alone
  // (in this process) is warm after its first repeat.
  async function engineAlone(): Promise<PerToken> {
    const e = await LLMEngine.create(engine);
    const round = async (tag: string, max_tokens: number): Promise<number> => {
      let tokens = 0;
      await Promise.all(Array.from({ length: streams }, async (_, i) => {
        for await (const d of e.generate({ request_id: `${tag}${i}`, prompt_token_ids: streamPrompt(i, inputLen), sampling: { ...sampling, max_tokens } })) tokens += d.token_ids.length;
      }));
      return tokens;
    };
    try {
      await round('w', WARM_UP_TOKENS);
      const c0 = processCpuMs(process.pid);
      const stepTimings: StepTiming[] = [];
      const off = e.onStep((s) => stepTimings.push(s));
      const t0 = performance.now();
      const tokens = await round('e', outputLen);
      const t1 = performance.now();
      off();
      const timeline = roundTimeline(unixMs(t0), unixMs(t1), stepTimings);
      return { wall_ms: (t1 - t0) / tokens, engine: cpuPerToken(c0, processCpuMs(process.pid), tokens), steps: stepTimings.length, timeline };
    } finally {
      await e.shutdown();
    }
  }
  // The HTTP client runs in a process of its own (bench/serve-client.ts), so that this
  // process's CPU time is the API's and the manager's alone.
  const client = fork(fileURLToPath(new URL('./serve-client.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const clientRound = (round: ClientRound): Promise<number> => new Promise((resolve, reject) => {
    client.once('message', (reply: ClientReply) => ('error' in reply ? reject(new Error(`client: ${reply.error}`)) : resolve(reply.tokens)));
    client.send(round);
  });
  async function throughApi(): Promise<PerToken> {
    const { fleet, url, close } = await servedFleet(1);
    const pid = fleet.pids[0]!;
    const round = (max_tokens: number): Promise<number> => clientRound({ url, model, streams, input_len: inputLen, max_tokens });
    try {
      await round(WARM_UP_TOKENS);
      const stepTimings: StepTiming[] = [];
      const off = fleet.onEngineStep((_instance, s) => stepTimings.push(s));
      const [i0, m0, c0] = [processCpuMs(pid), processCpuMs(process.pid), processCpuMs(client.pid!)];
      const t0 = performance.now();
      const tokens = await round(outputLen);
      const t1 = performance.now();
      // The last step's report may still be on its way (it follows the step's outputs); the
      // warm-up round's last one may arrive after the subscription.
      await new Promise((r) => setTimeout(r, 50));
      off();
      const timeline = roundTimeline(unixMs(t0), unixMs(t1), stepTimings.filter((s) => s.started_unix_ms >= unixMs(t0) && s.started_unix_ms < unixMs(t1)));
      return { wall_ms: (t1 - t0) / tokens, engine: cpuPerToken(i0, processCpuMs(pid), tokens), manager: cpuPerToken(m0, processCpuMs(process.pid), tokens), client_ms: cpuPerToken(c0, processCpuMs(client.pid!), tokens).total, steps: timeline.steps, timeline };
    } finally {
      await close();
    }
  }
  // The floor (2d): the same client against a bare server that only streams the events.
  async function floor(): Promise<{ wall_ms: number; cpu_ms: number }> {
    const { url, close } = await startSseFloor(model);
    try {
      const round = (max_tokens: number): Promise<number> => clientRound({ url, model, streams, input_len: inputLen, max_tokens });
      await round(WARM_UP_TOKENS);
      const c0 = processCpuMs(process.pid);
      const t0 = performance.now();
      const tokens = await round(outputLen);
      return { wall_ms: (performance.now() - t0) / tokens, cpu_ms: cpuPerToken(c0, processCpuMs(process.pid), tokens).total };
    } finally {
      await close();
    }
  }
  // Interleaved, best of `repeats` each: the machine's load drifts between runs.
  const alone: PerToken[] = [];
  const api: PerToken[] = [];
  const floors: { wall_ms: number; cpu_ms: number }[] = [];
  try {
    for (let r = 0; r < repeats; r++) {
      alone.push(await engineAlone());
      api.push(await throughApi());
      floors.push(await floor());
    }
  } finally {
    client.disconnect();
  }
  const best = (xs: PerToken[], f: (x: PerToken) => number | undefined): number => Math.min(...xs.map((x) => f(x) ?? Number.NaN));
  const served = (x: PerToken): number => x.engine.total + (x.manager?.total ?? 0);
  console.log(`\n2. Overhead of the API + manager per output token, ${streams} concurrent streams of ${inputLen} → ${outputLen} tokens, 1 instance, best of ${repeats} (load average ${load()})`);
  console.log('   wall: elapsed time / tokens; CPU: CPU time / tokens of the engine\'s process and, through the API, of the manager\'s process (the API,');
  console.log('   the manager and fastify); the HTTP client runs in a process of its own, not counted');
  const row = (label: string, f: (x: PerToken) => number | undefined): (string | number)[] => {
    const e = best(alone, f);
    const a = best(api, f);
    const overhead = (a - e) / e;
    return [label, e.toFixed(3), a.toFixed(3), `${(overhead * 100).toFixed(1)} %`, '< 5 %', overhead < 0.05 ? 'met' : 'not met'];
  };
  console.log(table([['measure', 'engine alone ms/token', 'API + manager ms/token', 'overhead', 'target', 'verdict'],
    row('wall', (x) => x.wall_ms), row('CPU, engine + manager', served), row('CPU, the engine\'s process', (x) => x.engine.total)]));
  // Where the CPU goes, thread by thread (Linux /proc; best of the repeats per row). The forward
  // pass runs on the engine's libuv pool; everything the API adds per token runs on the two main threads.
  const cpu = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : '—');
  console.log(`\n2b. CPU ms per output token by process and thread, best of ${repeats} (load average ${load()})`);
  console.log(table([
    ['process, thread', 'engine alone', 'through the API'],
    ['engine, main thread (steps, sampling, detokenising, outputs, gRPC)', cpu(best(alone, (x) => x.engine.main)), cpu(best(api, (x) => x.engine.main))],
    ['engine, other threads (forward pass, GC)', cpu(best(alone, (x) => x.engine.others)), cpu(best(api, (x) => x.engine.others))],
    ['manager, main thread (API, manager, fastify, gRPC)', '', cpu(best(api, (x) => x.manager?.main))],
    ['manager, other threads (GC, libuv)', '', cpu(best(api, (x) => x.manager?.others))],
    ['outside the forward pass (main threads)', cpu(best(alone, (x) => x.engine.main)), cpu(best(api, (x) => x.engine.main + (x.manager?.main ?? 0)))],
    ['HTTP client (not counted)', '', cpu(best(api, (x) => x.client_ms))],
  ]));
  // Requests that reach the engine over HTTP and gRPC arrive spread over several steps, where the
  // engine alone admits all of them in its first: more, smaller steps, each with its fixed costs.
  console.log(`   engine steps per round of ${streams} × ${outputLen} tokens: engine alone ${alone.map((x) => x.steps).join(', ')}; through the API ${api.map((x) => x.steps).join(', ')}`);
  // Where the wall time of a round goes, for the round with the best wall time on each side.
  const fastest = (xs: PerToken[]): RoundTimeline => xs.reduce((b, x) => (x.wall_ms < b.wall_ms ? x : b)).timeline;
  const [ta, tb] = [fastest(alone), fastest(api)];
  const line = (label: string, f: (t: RoundTimeline) => number, digits = 1): string[] => [label, f(ta).toFixed(digits), f(tb).toFixed(digits), (f(tb) - f(ta)).toFixed(digits)];
  console.log(`\n2c. Where a round's wall time goes, ms (the round with the best wall time on each side; from the engine's step timings)`);
  console.log(table([
    ['part of the round', 'engine alone', 'through the API', 'difference'],
    line('round starts → first engine step', (t) => t.to_first_step_ms),
    line('first step → last step that admitted a request', (t) => t.admission_ms),
    line('engine steps', (t) => t.steps, 0),
    line('Σ step time (schedule, forward, sampling, update)', (t) => t.step_ms),
    line('Σ engine idle between steps', (t) => t.between_steps_ms),
    line('last step ends → round ends (last token and stream end at the client)', (t) => t.after_last_step_ms),
    line('wall', (t) => t.wall_ms),
  ]));
  // What streaming one event per token costs here at all: the bound under the overhead.
  const engineToken = best(alone, (x) => x.wall_ms);
  const floorCpu = Math.min(...floors.map((f) => f.cpu_ms));
  const floorWall = Math.min(...floors.map((f) => f.wall_ms));
  console.log(`\n2d. The floor: a bare node:http server streaming the same events (one per token and stream, the API's SSE framing) to the same client,`);
  console.log(`    no engine, fastify, manager or gRPC; best of ${repeats} (load average ${load()})`);
  console.log(table([
    ['measure', 'floor ms/token', 'engine alone ms/token', 'floor / engine token', 'the 5 % target'],
    ['CPU of the server\'s process', cpu(floorCpu), cpu(engineToken), `${((floorCpu / engineToken) * 100).toFixed(1)} %`, floorCpu / engineToken < 0.05 ? 'reachable' : 'below the floor'],
    ['wall (events only, unpaced)', cpu(floorWall), '', '', ''],
  ]));
}

// 3. Migration downtime against sequence length.
if (sections.has(3)) {
  const procs = [await startInstanceProcess(engine), await startInstanceProcess(engine)];
  const ends: Endpoint[] = procs.map((p) => ({ process: p, client: new InstanceClient(`${p.host}:${p.port}`) }));
  try {
    // A warm-up round first (it moves requests both ways): the first migration between two processes dials the peer and opens the KV connection.
    await downtimeTable(ends[0]!, ends[1]!, [lengths[0]!], 1, 16);
    const sourceLoad: SourceLoad = sourceTokens > 0
      ? (length) => ({ requests: Math.max(0, Math.floor(sourceTokens / length) - 1), length })
      : () => ({ requests: sourceBusy, length: 64 });
    const rows = await downtimeTable(ends[0]!, ends[1]!, lengths, repeats, 16, sourceLoad, (done) => process.stderr.write(`\r   section 3: ${done} done${' '.repeat(10)}`));
    if (sourceBusy > 0) console.log(`\n   (section 3 ran with ${sourceBusy} other requests decoding on the source of every move, none on its destination)`);
    if (sourceTokens > 0) console.log(`\n   (section 3 ran with Llumnix's Fig. 10 load: ⌊${sourceTokens} / L⌋ requests of L tokens on the source of every move, the moved one included, none on its destination)`);
    console.log(`\n3. Migration downtime (client-observed stall, median of ${repeats}: the gap at the move, last token from the source → first from the destination, and the longest gap`);
    console.log(`   between two tokens anywhere in the stream) against sequence length (load average ${load()})`);
    console.log(table([
      ['tokens', 'blocks', 'decode step ms', 'live: at move ms', 'longest ms', 'live (source) ms', 'stages', 'live ≤1: at move ms', 'longest ms', 'stages', 'stop-and-copy: at move ms', 'longest ms', 'stop-and-copy (source) ms', 'recompute: at move ms', 'longest ms'],
      ...rows.map((r) => [r.length_tokens, r.blocks, ms(r.step_ms), ms(r.live_switch_ms), ms(r.live_ms), ms(r.live_source_ms), r.live_stages, ms(r.live_fine_switch_ms), ms(r.live_fine_ms), r.live_fine_stages,
        ms(r.stop_copy_switch_ms), ms(r.stop_copy_ms), ms(r.stop_copy_source_ms), ms(r.recompute_switch_ms), ms(r.recompute_ms)]),
    ]));
    // The snapshot last stage beside Llumnix's (the same request lengths, interleaved repeats).
    console.log(`\n3c. The snapshot last stage (never suspended; the destination catches up, then the client switches) beside live migration's (median of ${repeats}, ms;`);
    console.log('    "at move − step": the gap at the move, last token from the source → first from the destination, less one decode step, the median gap between tokens).');
    console.log('    Extra compute: tokens computed on both sides (snapshot → switch), and tokens the source decoded after the switch before its stop arrived; each is one row of a decode');
    console.log('    step on the source (and one decode step or one chunk position on the destination). "dst lag at switch": the client\'s last token from the source,');
    console.log('    produced on the destination (decoded, or known from the catch-up) − produced on the source.');
    console.log(table([
      ['tokens', 'decode step', 'live: at move', 'at move − step', 'longest', 'snapshot: at move', 'at move − step', 'longest', 'both sides, tokens', 'source after switch, tokens', 'snapshot → switch', 'snapshot → COMMIT acked', 'dst lag at switch'],
      ...rows.map((r) => [r.length_tokens, ms(r.step_ms), ms(r.live_switch_ms), ms(r.live_switch_ms - r.step_ms), ms(r.live_ms), ms(r.snapshot_switch_ms), ms(r.snapshot_switch_ms - r.step_ms), ms(r.snapshot_ms),
        r.snapshot.both_tokens, r.snapshot.source_after_switch_tokens, ms(r.snapshot.catch_up_ms), ms(r.snapshot.commit_ms), ms(r.snapshot.lag_ms)]),
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
    // Llumnix's claim for Fig. 10: downtime nearly constant in length and below one decode
    // step. Its downtime (plot.py) is the last stage begins → the destination's migrate_in, its
    // step the source's own under the load it carries; the client also waits for the
    // destination's first step, which is why its gap is compared less one step.
    const verdict = (x: number, step: number): string => (!Number.isFinite(x) ? '—' : x < step ? 'below' : 'not below');
    console.log(`\n3d. Live migration against one decode step of the source (medians of ${repeats}, ms): Llumnix's downtime (the request out of the source's batch → its COMMIT`);
    console.log('    acknowledged), and the client\'s extra wait (the gap at the move less one step: the destination\'s first step is a step the request takes anyway)');
    console.log(table([
      ['tokens', 'other requests on the source', 'decode step', 'downtime (suspended → COMMIT)', '× step', 'verdict', 'client: at move − step', '× step', 'verdict'],
      ...rows.map((r) => [r.length_tokens, r.source_requests, ms(r.step_ms), ms(r.live_suspended_ms), (r.live_suspended_ms / r.step_ms).toFixed(2), verdict(r.live_suspended_ms, r.step_ms),
        ms(r.live_switch_ms - r.step_ms), ((r.live_switch_ms - r.step_ms) / r.step_ms).toFixed(2), verdict(r.live_switch_ms - r.step_ms, r.step_ms)]),
    ]));
  } finally {
    for (const e of ends) e.client.close();
    await Promise.all(procs.map((p) => p.stop()));
  }
}
console.log(`\nload average ${load()} at the end`);
