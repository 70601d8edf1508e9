// External OpenAI-compatible servers in the fleet: a `fleetlab serve` process (one instance)
// stands for a real vLLM, with the same endpoints (/v1/completions with return_token_ids,
// /v1/models, /metrics with vLLM's names). The manager dispatches to it, reads its load from
// its /metrics, and never pairs it for migration.
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { LLMEngine } from '../../backend/engine/llm-engine.ts';
import { parseSamplingParams } from '../../backend/engine/sampling-params.ts';
import type { ClusterView } from '../../policies/index.ts';
import { Fleet } from '../../backend/manager/fleet.ts';
import { collect, oneEngineOutputs, privateModelCache, until } from './helpers.ts';

const cache = privateModelCache('external');

const PROMPTS = Array.from({ length: 6 }, (_, i) => Array.from({ length: 5 + 3 * i }, (_, j) => (i * 29 + j * 19 + 7) % 500));
const sampling = parseSamplingParams({ max_tokens: 40, temperature: 0, ignore_eos: true });

let server: ChildProcess | undefined;
let url = '';
/** The external server's own instance processes. */
let serverPids: number[] = [];

test.before(async () => {
  const child = spawn(process.execPath, ['bin/fleetlab.js', 'serve', '--instances', '1', '--port', '0'], { env: { ...process.env, FLEETLAB_CACHE_DIR: cache }, stdio: ['ignore', 'pipe', 'inherit'] });
  server = child;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const msg = JSON.parse(line) as { ready?: boolean; url: string; pids: number[] };
      if (msg.ready === true) {
        serverPids = msg.pids;
        resolve(msg.url);
      }
    });
    void exited.then((code) => reject(new Error(`fleetlab serve exited (${code}) before it was ready`)));
  });
});

test.after.always(async () => {
  if (server === undefined || server.exitCode !== null || server.signalCode !== null) return;
  const gone = new Promise((r) => server!.once('exit', r));
  server.kill('SIGTERM');
  await gone;
});

test.serial('a fleet of one external server: requests go over HTTP, token-identical; its load comes from its /metrics', async (t) => {
  const expected = await oneEngineOutputs(PROMPTS, sampling);
  // Polled every 20 ms but only declared gone after 100 failed polls in a row: on a loaded CI
  // machine a few polls in a row can fail (CI saw the server dropped), and this test is about
  // load, not liveness (the killed-server test below covers leaving).
  const fleet = await Fleet.start({ instances: 0, engine: { model: 'tiny' }, scheduler: { dispatch: { kind: 'load' } }, external: [{ url, kv_blocks: 512, poll_interval_s: 0.02, missed_polls: 100 }] });
  try {
    t.deepEqual(fleet.pids, [], 'the manager started no process');
    const report = fleet.view().instances[0]!;
    t.like(report, { id: 0, state: 'active', reported: true, total_blocks: 512, watermark_blocks: 5, running: 0, waiting: 0 });
    const outs = await Promise.all(PROMPTS.map((p, i) => collect(fleet.generate({ request_id: `x${i}`, prompt_token_ids: p, sampling }))));
    t.deepEqual(outs, expected);
    // Long requests: the polled load shows them, and shows them gone once aborted.
    const controller = new AbortController();
    const long = parseSamplingParams({ max_tokens: 1500, temperature: 0, ignore_eos: true });
    const runs = [0, 1].map((i) => collect(fleet.generate({ request_id: `long${i}`, prompt_token_ids: PROMPTS[i]!, sampling: long }, controller.signal)));
    const busy = (): number => fleet.stats().num_requests_running + fleet.stats().num_requests_waiting;
    await until('the polled load shows the requests', () => busy() === 2);
    await until('and their KV blocks', () => fleet.stats().kv_cache_usage_perc > 0);
    controller.abort();
    t.deepEqual((await Promise.all(runs)).map((o) => o.finish), ['abort', 'abort']);
    await until('the polled load shows them gone', () => busy() === 0);
  } finally {
    await fleet.stop();
  }
});

test.serial('beside an instance process: both take requests, outputs are token-identical, and the migration policy never sees the external one', async (t) => {
  const expected = await oneEngineOutputs(PROMPTS, sampling);
  const fleet = await Fleet.start({
    instances: 1, engine: { model: 'tiny' }, external: [{ url, kv_blocks: 1024 }],
    // Pairing every report with a threshold every instance is below: a loaded instance would be paired with any freer one.
    scheduler: { dispatch: { kind: 'round-robin' }, pairing: { kind: 'defrag', migrate_threshold: 1e6, queued_demand: 'head-of-line' }, selector: { kind: 'LCFS' }, trigger: { kind: 'every-reports', reports_per_instance: 1 } },
  });
  const seen: ClusterView[] = [];
  const pairing = fleet.scheduler.onReport.bind(fleet.scheduler);
  fleet.scheduler.onReport = (view) => {
    seen.push(view);
    return pairing(view);
  };
  try {
    const outs = await Promise.all(PROMPTS.map((p, i) => collect(fleet.generate({ request_id: `y${i}`, prompt_token_ids: p, sampling }))));
    t.deepEqual(outs, expected);
    t.deepEqual([...fleet.dispatched], [3, 3], 'round-robin over the process and the external server');
    t.true(seen.length > 0, 'the migration policy ran');
    t.true(seen.every((v) => v.instances.every((r) => r.id === 0)), 'the external server (id 1) was never in the pairing view');
    await t.throwsAsync(fleet.migrate(0, 1), { message: /external servers take no part in migration/ });
  } finally {
    await fleet.stop();
  }
});

test.serial('external servers that cannot be used are refused at start, naming the config field', async (t) => {
  const start = (external: object[]) => Fleet.start({ instances: 0, engine: { model: 'tiny' }, scheduler: { dispatch: { kind: 'load' } }, external: external as never });
  await t.throwsAsync(start([{ url: 'http://127.0.0.1:1' }]), { message: /external\[0\]\.url: cannot reach http:\/\/127\.0\.0\.1:1\/v1\/models/ });
  await t.throwsAsync(start([{ url }]), { message: /external\[0\]\.kv_blocks: .*has no vllm:cache_config_info/ });
  await t.throwsAsync(start([{ url, model: 'llama', kv_blocks: 8 }]), { message: /external\[0\]\.model: .* does not serve "llama" \(it serves tiny\)/ });
  await t.throwsAsync(start([{ url: 'ftp://x', kv_blocks: 8 }]), { message: /external\[0\]: url:/ });
  await t.throwsAsync(Fleet.start({ instances: 0, engine: { model: 'tiny' }, scheduler: { dispatch: { kind: 'load' } } }), { message: /instances = 0; expected an integer >= 1 \(or external servers\)/ });
});

// Last: it kills the shared external server.
test.serial('an external server killed mid-stream: its request resumes on the instance process from its tokens; the server leaves the view', async (t) => {
  const long = parseSamplingParams({ max_tokens: 120, temperature: 0, ignore_eos: true });
  const ref = await LLMEngine.create({ model: 'tiny' });
  const want = await Promise.all([0, 1].map((i) => collect(ref.generate({ request_id: `w${i}`, prompt_token_ids: PROMPTS[i]!, sampling: long }))));
  await ref.shutdown();
  const fleet = await Fleet.start({ instances: 1, engine: { model: 'tiny' }, scheduler: { dispatch: { kind: 'round-robin' } }, external: [{ url, kv_blocks: 1024, poll_interval_s: 0.02 }] });
  try {
    let midway!: () => void;
    const decoding = new Promise<void>((r) => (midway = r));
    // Round-robin: k0 on the instance process, k1 on the external server.
    const runs = [0, 1].map((i) => collect(fleet.generate({ request_id: `k${i}`, prompt_token_ids: PROMPTS[i]!, sampling: long }), (n) => i === 1 && n === 10 && midway()));
    await decoding;
    for (const pid of [server!.pid!, ...serverPids]) process.kill(pid, 'SIGKILL');
    const outs = await Promise.all(runs);
    t.deepEqual(outs, want, 'no token lost or repeated');
    t.true(fleet.failovers >= 1, `resumed elsewhere: ${fleet.failovers}`);
    await until('the dead server leaves the view', () => fleet.view().instances.length === 1);
  } finally {
    await fleet.stop();
  }
});
