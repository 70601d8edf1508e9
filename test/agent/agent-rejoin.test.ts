// A node agent taken for dead that comes back is taken back: restarted on its address, or no
// longer frozen, it reports again; what it still ran from before is stopped (those requests
// were resumed elsewhere), its node's instances start again and serve.
import test from 'ava';
import { parseSamplingParams } from '../../backend/engine/sampling-params.ts';
import { Fleet } from '../../backend/manager/fleet.ts';
import { collect, oneEngineOutputs, until } from '../engine-real/helpers.ts';
import { agentTestFolders, fleetOverTwoAgents, startAgentProcess } from './helpers.ts';

agentTestFolders('agent-rejoin');

const PROMPTS = [[3, 14, 15, 92, 65], [35, 89, 79, 32, 38, 46], [26, 43, 38, 32, 79, 50, 28]];
const sampling = parseSamplingParams({ max_tokens: 12, temperature: 0, ignore_eos: true });
// Generous: a loaded machine can stall a live agent's reports for a second.
const HEARTBEAT = { interval_ms: 500, missed: 4 };

/** Waits for the view to hold `n` instances (the manager notices deaths and returns by heartbeats). */
function viewHolds(fleet: Fleet, n: number, what: string): Promise<void> {
  // Generous: under a full test run on 2 cores an instance start alone has taken tens of seconds.
  return until(`${what} (view holds ${n} instance(s))`, () => fleet.view().instances.length === n, 90_000);
}

/** Every prompt answered by the fleet as one engine answers it (round-robin spreads them over both nodes). */
async function servesExactly(fleet: Fleet, tag: string): Promise<unknown[]> {
  return Promise.all(PROMPTS.map((p, i) => collect(fleet.generate({ request_id: `${tag}-${i}`, prompt_token_ids: p, sampling }))));
}

test('an agent killed and restarted on its address is taken back, by its new boot id, before any heartbeat is missed: its node serves again', async (t) => {
  const expected = await oneEngineOutputs(PROMPTS, sampling, { id_prefix: 'r' });
  // Heartbeats that cannot be missed within the test: the restart must be recognised by the
  // new process's boot id in its first report, however fast it comes back.
  const { a, b, fleet } = await fleetOverTwoAgents('restart', { interval_ms: 500, missed: 600 });
  let again: Awaited<ReturnType<typeof startAgentProcess>> | undefined;
  try {
    process.kill(-b.child.pid!, 'SIGKILL');
    await viewHolds(fleet, 1, 'the killed node left the view');
    const port = Number(b.address.split(':')[1]);
    // The same folders: a restarted agent finds its checkpoint store as it left it.
    again = await startAgentProcess('127.0.0.2', 'b-restart', { port });
    t.is(again.address, b.address);
    await viewHolds(fleet, 2, 'the restarted node is back in the view');
    // A new instance (id 2 or above) for the node that came back. (Node a's instance 0 is there
    // too unless a stall had it taken for dead as well, then back with its own new instance.)
    t.true(fleet.view().instances.some((r) => r.id >= 2), `a new instance: ${fleet.view().instances.map((r) => r.id).join(', ')}`);
    t.deepEqual(await servesExactly(fleet, 'restart'), expected);
  } finally {
    await fleet.stop();
    for (const agent of [a, again]) if (agent !== undefined) process.kill(-agent.child.pid!, 'SIGTERM');
  }
});

test('an agent frozen past its heartbeats and thawed is taken back: its old instance is stopped, a new one serves', async (t) => {
  const expected = await oneEngineOutputs(PROMPTS, sampling, { id_prefix: 'r' });
  const { a, b, fleet } = await fleetOverTwoAgents('thaw', HEARTBEAT);
  try {
    const before = new Set(fleet.pids);
    process.kill(-b.child.pid!, 'SIGSTOP');
    await viewHolds(fleet, 1, 'the frozen node left the view');
    const orphan = [...before].find((pid) => !fleet.pids.includes(pid))!;
    process.kill(-b.child.pid!, 'SIGCONT');
    await viewHolds(fleet, 2, 'the thawed node is back in the view');
    const gone = (): boolean => {
      try {
        process.kill(orphan, 0);
        return false;
      } catch {
        return true;
      }
    };
    await until(`the instance it ran before (pid ${orphan}) stopped`, gone, 15_000);
    t.pass('the orphan was stopped');
    t.deepEqual(await servesExactly(fleet, 'thaw'), expected);
  } finally {
    await fleet.stop();
    for (const agent of [a, b]) process.kill(-agent.child.pid!, 'SIGTERM');
  }
});
