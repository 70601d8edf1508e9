// Shared by the node-failure tests: two node agents as their own process groups, one per
// loopback address (Linux routes all of 127/8 to lo), a fleet over them, and the scenario: one
// agent's group is signalled mid-stream and every client must still get its complete answer.
import test, { type ExecutionContext } from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseSamplingParams } from '../../backend/engine/sampling-params.ts';
import { Fleet } from '../../backend/manager/fleet.ts';
import { fleetOptions, parseFleetConfig } from '../../backend/manager/fleet-config.ts';
import { collect, oneEngineOutputs, privateModelCache } from '../engine-real/helpers.ts';

let work = '';
let shm = '';
const agents: ChildProcess[] = [];

/** A private model cache and agent folders for this test file, removed after it. */
export function agentTestFolders(label: string): void {
  privateModelCache(label);
  work = mkdtempSync(join(tmpdir(), `fleetlab-${label}-`));
  shm = mkdtempSync(`/dev/shm/fleetlab-${label}-`);
  test.after.always(() => {
    for (const a of agents) {
      try {
        process.kill(-a.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(work, { recursive: true, force: true });
    rmSync(shm, { recursive: true, force: true });
  });
}

const MAIN = fileURLToPath(new URL('../../backend/agent/main.ts', import.meta.url));

/**
 * Starts an agent as its own process group (so the test can kill it with its instances);
 * `settings` add to or override its AgentSettings (no bandwidth probe unless asked).
 */
export async function startAgentProcess(host: string, tag: string, settings: Record<string, unknown> = {}): Promise<{ child: ChildProcess; address: string }> {
  const options = { host, port: 0, models_dir: join(work, tag), dram_dir: join(shm, tag), probe_mib: 0, ...settings };
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), MAIN, '--options', JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  agents.push(child);
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const msg = JSON.parse(line) as { ready?: boolean; port?: number };
      if (msg.ready === true && typeof msg.port === 'number') resolve(msg.port);
    });
    child.once('exit', (code) => reject(new Error(`agent ${tag} exited (${code}) before it was ready`)));
  });
  return { child, address: `${host}:${port}` };
}

const PROMPTS = Array.from({ length: 4 }, (_, i) => Array.from({ length: 5 + 3 * i }, (_, j) => (i * 59 + j * 11 + 3) % 500));
// Long answers: the client sees tokens later than the instance makes them (a loaded machine can
// hold hundreds of milliseconds of them in the manager), so node b must still have far to go
// when the test reacts to what the client saw.
// 1,000 tokens: at 300, a CI run under full load saw node b finish its answers before the kill.
const sampling = parseSamplingParams({ max_tokens: 1000, temperature: 0, ignore_eos: true });

/**
 * Two agents with one instance each; `signal` to node b's process group once the streams are
 * 10 tokens in; every answer must equal one engine's, the view must keep node a's instance only.
 */
/** Agents a (127.0.0.1) and b (127.0.0.2) with one tiny instance each, and a round-robin fleet over them. */
export async function fleetOverTwoAgents(tag: string, heartbeat: { interval_ms: number; missed: number }) {
  const a = await startAgentProcess('127.0.0.1', `a-${tag}`);
  const b = await startAgentProcess('127.0.0.2', `b-${tag}`);
  const config = parseFleetConfig({
    model: 'tiny', scheduler: { dispatch: { kind: 'round-robin' } },
    nodes: [{ address: a.address, instances: 1 }, { address: b.address, instances: 1 }],
    heartbeat,
  });
  return { a, b, fleet: await Fleet.start(fleetOptions(config)) };
}

export async function nodeFailure(t: ExecutionContext, signal: 'SIGKILL' | 'SIGSTOP', tag: string): Promise<void> {
  const expected = await oneEngineOutputs(PROMPTS, sampling, { id_prefix: 'r' });
  const { a, b, fleet } = await fleetOverTwoAgents(tag, { interval_ms: 500, missed: 3 });
  try {
    t.is(fleet.view().instances.length, 2);
    // The node fails once EVERY stream is mid-answer: failing when the first one was (as before)
    // let node b's requests finish first on a loaded machine, and nothing failed over.
    let midway: () => void;
    const decoding = new Promise<void>((r) => (midway = r));
    const mid = new Set<number>();
    const runs = PROMPTS.map((p, i) =>
      collect(fleet.generate({ request_id: `k${i}`, prompt_token_ids: p, sampling }), (n) => {
        if (n >= 10) mid.add(i);
        if (mid.size === PROMPTS.length) midway();
      }),
    );
    await decoding;
    process.kill(-b.child.pid!, signal);
    const outs = await Promise.all(runs);
    t.deepEqual(outs, expected, 'every client got its complete answer, no token lost or repeated');
    // A killed agent takes its instances with it, so their streams must fail over. A frozen one
    // may not freeze an instance that is mid-step, whose streams can still complete before the
    // missed heartbeats are noticed (seen under CI load): there, the view is what must change.
    if (signal === 'SIGKILL') t.true(fleet.failovers >= 1, `requests resumed on the other node: ${fleet.failovers}`);
    // The view changes when the manager notices: a broken connection (killed) or missed
    // heartbeats (frozen), which may come after every answer completed.
    const deadline = Date.now() + 15_000;
    while (fleet.view().instances.length > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    t.deepEqual(fleet.view().instances.map((r) => r.id), [0], "only node a's instance is left in the view");
  } finally {
    if (signal === 'SIGSTOP') process.kill(-b.child.pid!, 'SIGKILL');
    await fleet.stop();
    process.kill(-a.child.pid!, 'SIGTERM');
  }
}
