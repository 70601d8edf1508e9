// The serverless fleet on real node agents: two `fleetlab agent` processes (127.0.0.1 and
// 127.0.0.2) are its nodes; deploying stores each model in the agents' tiers (one node's DRAM,
// the other's disk only); the placement view shows what the agents REPORT holding and the
// bandwidths they MEASURED, so a cold model goes to the node whose tier reads it fastest, with
// a start-up estimate of bytes / measured bandwidth; the instance starts through that agent and
// loads from that tier of its checkpoint store. No timing is asserted: the expected node is
// computed from the agents' own reports, whatever this machine measured. Once an agent dies
// (missed heartbeats), its node offers no slot and holds nothing in the view.
import test from 'ava';
import { parseDeployConfig } from '../../config/serverless-deploy.ts';
import { parseSamplingParams } from '../../backend/engine/sampling-params.ts';
import type { NodeReportMessage } from '../../backend/rpc/agent-messages.ts';
import { AgentClient } from '../../backend/rpc/agent-client.ts';
import { ServerlessFleet } from '../../backend/serverless/manager.ts';
import type { PlacementDecision } from '../../policies/placement/index.ts';
import { collect } from '../engine-real/helpers.ts';
import { agentTestFolders, startAgentProcess } from './helpers.ts';

agentTestFolders('sllm-agents');

const deployConfig = (model: string, preset: string, disk: number[], dram: number[]): ReturnType<typeof parseDeployConfig> =>
  parseDeployConfig({
    model, backend: 'transformers', num_gpus: 1,
    // keep_alive long: the instance must still run when the test asks its agent where it loaded from.
    auto_scaling_config: { metric: 'concurrency', target: 1, min_instances: 0, max_instances: 2, keep_alive: 600 },
    backend_config: { pretrained_model_name_or_path: preset }, placement_config: { local_disk: disk.map(String), memory_pool: dram.map(String) },
    router_config: { migration_delta: 20 },
  });

/** One report from the agent, read on a connection of the test's own. */
async function reportOf(address: string): Promise<NodeReportMessage> {
  const client = new AgentClient(address);
  try {
    return await new Promise<NodeReportMessage>((resolve, reject) => client.subscribeReports(100, resolve, (err) => reject(err ?? new Error('report stream ended'))));
  } finally {
    client.close();
  }
}

/** What the agents' reports predict for `preset`: per node its tier and bytes / path bandwidth, and the fastest node. */
function expectedFrom(reports: readonly NodeReportMessage[], preset: string): { node: number; tier: 'dram' | 'ssd'; estimate_s: number; bytes: number } {
  const options = reports.map((r, node) => {
    const h = r.models.find((m) => m.model === preset);
    if (h === undefined || !h.on_disk) throw new Error(`node ${node} holds no ${preset}`);
    const dram = r.dram_read_gbps * 1e9;
    const disk = r.disk_read_gbps * 1e9;
    // The policy's path model: DRAM → slot; SSD → DRAM → slot (the slower of the two links).
    const tier = h.in_dram ? ('dram' as const) : ('ssd' as const);
    const bw = tier === 'dram' ? dram : Math.min(disk, dram);
    return { node, tier, estimate_s: h.bytes / bw, bytes: h.bytes };
  });
  return options.reduce((best, o) => (o.estimate_s < best.estimate_s ? o : best));
}

const closeTo = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

test('a cold model is placed on the node whose agent holds it in the faster tier, estimated from the measured bandwidths, and loads from that tier', async (t) => {
  const [a, b] = await Promise.all([
    startAgentProcess('127.0.0.1', 'a', { probe_mib: 4 }),
    startAgentProcess('127.0.0.2', 'b', { probe_mib: 4 }),
  ]);
  const fleet = new ServerlessFleet({
    nodes: [{ id: 0, gpus: 2, address: a.address }, { id: 1, gpus: 2, address: b.address }],
    startup_estimate_s: 0, // no fixed overhead before a start was measured: the estimate is the read alone
    heartbeat: { interval_ms: 200, missed: 25 },
    log: (line) => process.env['DEBUG_FLEET'] !== undefined && console.error(line),
  });
  try {
    await fleet.connect();
    // `first` in node 1's DRAM and on node 0's disk; `second` the other way round.
    await fleet.deploy(deployConfig('first', 'tiny', [0, 1], [1]));
    await fleet.deploy(deployConfig('second', 'tiny-llama', [0, 1], [0]));
    const reports = await Promise.all([a.address, b.address].map(reportOf));
    for (const r of reports) t.true(r.disk_read_gbps > 0 && r.dram_read_gbps > 0, `agent ${r.node} measured its tiers`);
    const holds = (r: NodeReportMessage, m: string): string => { const h = r.models.find((x) => x.model === m); return h === undefined ? 'none' : h.in_dram ? 'dram' : 'disk'; };
    t.deepEqual(reports.map((r) => [holds(r, 'tiny'), holds(r, 'tiny-llama')]), [['disk', 'dram'], ['dram', 'disk']], 'deploy stored the models in the agents\' tiers');

    const view = fleet.view();
    t.deepEqual(view.nodes.map((n) => [n.dram_models, n.ssd_models]), [[['second'], ['first', 'second']], [['first'], ['first', 'second']]], 'the view shows the reported holdings');
    for (const [i, n] of view.nodes.entries()) {
      t.is(n.bandwidth.ssd_bytes_per_s, reports[i]!.disk_read_gbps * 1e9, 'SSD bandwidth = the agent\'s measured disk-tier read');
      t.is(n.bandwidth.pcie_bytes_per_s_per_gpu, reports[i]!.dram_read_gbps * 1e9, 'DRAM → slot = the agent\'s measured DRAM-tier read');
    }

    // `second`: the policy's answer on the view built from the reports (nothing started yet).
    const second = expectedFrom(reports, 'tiny-llama');
    t.is(view.models.get('second')?.size_bytes, second.bytes, 'the model\'s size is the checkpoint bytes the agents report');
    const d2 = fleet.policy.place({ model: 'second', since_s: fleet.now_s }, view) as PlacementDecision & { kind: 'place' };
    t.is(d2.kind, 'place');
    t.deepEqual([d2.node, d2.tier], [second.node, second.tier]);
    t.true(closeTo(d2.estimated_startup_s, second.estimate_s), `estimate ${d2.estimated_startup_s} s = bytes / measured bandwidth ${second.estimate_s} s`);

    // `first`: a real request; the fleet places it, the agent starts it from its store.
    const first = expectedFrom(reports, 'tiny');
    const out = await collect(fleet.pick('first')!.generate({ request_id: 'r', prompt_token_ids: [1, 2, 3, 4, 5], sampling: parseSamplingParams({ max_tokens: 8, temperature: 0, ignore_eos: true }) }));
    t.is(out.ids.length, 8);
    const placed = fleet.placements.find((p) => p.request.model === 'first' && p.decision.kind === 'place');
    if (placed === undefined || placed.decision.kind !== 'place') return t.fail(fleet.lines.join('\n'));
    t.deepEqual([placed.decision.node, placed.decision.tier], [first.node, first.tier], fleet.lines.join('\n'));
    t.true(closeTo(placed.decision.estimated_startup_s, first.estimate_s), `estimate ${placed.decision.estimated_startup_s} s = ${first.estimate_s} s`);
    t.deepEqual(fleet.policy.place(placed.request, placed.view), placed.decision, 'the fleet applied the policy\'s decision on its view');
    const address = [a.address, b.address][first.node]!;
    const client = new AgentClient(address);
    const running = await client.listInstances().finally(() => client.close());
    t.deepEqual(running.map((i) => [i.model, i.cold_start?.source]), [['tiny', first.tier === 'dram' ? 'dram' : 'disk']], 'the instance runs on that agent and read its weights from that tier');

    // Node 1's agent dies: once its heartbeats are missed, its last report no longer counts.
    const gone = new Promise((r) => b.child.once('exit', r));
    process.kill(-b.child.pid!, 'SIGKILL');
    await gone;
    while (fleet.nodes[1]!.up) await new Promise((r) => setTimeout(r, 100));
    const after = fleet.view();
    t.deepEqual([after.nodes[1]!.free_gpus, after.nodes[1]!.dram_models, after.nodes[1]!.ssd_models], [[], [], []], 'a dead agent offers no slot and holds nothing');
    const d3 = fleet.policy.place({ model: 'second', since_s: fleet.now_s }, after);
    t.true(d3.kind === 'place' && d3.node === 0, `placed on the live node: ${JSON.stringify(d3)}`);
  } finally {
    await fleet.stop();
    for (const agent of [a, b]) {
      if (agent.child.exitCode !== null || agent.child.signalCode !== null) continue;
      const exited = new Promise((r) => agent.child.once('exit', r));
      process.kill(-agent.child.pid!, 'SIGTERM');
      await exited;
    }
  }
  t.deepEqual(fleet.instances(), [], 'every instance stopped');
});
