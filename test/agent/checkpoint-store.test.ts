// The node's checkpoint store: models converted once into the disk tier, copied into the DRAM
// tier (tmpfs), kept alive, evicted least recently used, unloaded; and a node agent starting
// instances cold (from disk) and from DRAM, each reporting its load stage by stage.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, parseEngineJson } from '../../backend/agent/agent-server.ts';
import { agentOptions } from '../../backend/agent/agent-options.ts';
import { CheckpointStore } from '../../backend/agent/checkpoint-store.ts';
import { parseSamplingParams } from '../../backend/engine/sampling-params.ts';
import { storageTierOf } from '../../backend/model/storage-tier.ts';
import type { NodeReportMessage } from '../../backend/rpc/agent-messages.ts';
import { AgentClient } from '../../backend/rpc/agent-client.ts';
import { InstanceClient } from '../../backend/rpc/instance-client.ts';
import { collect, privateModelCache } from '../engine-real/helpers.ts';

privateModelCache('agent-store');
const disk = mkdtempSync(join(tmpdir(), 'fleetlab-agent-models-'));
const shm = mkdtempSync('/dev/shm/fleetlab-agent-test-');
test.after.always(() => {
  rmSync(disk, { recursive: true, force: true });
  rmSync(shm, { recursive: true, force: true });
});

const MiB = 2 ** 20;
const store = (name: string, over: Partial<Parameters<typeof CheckpointStore.open>[0]> = {}): Promise<CheckpointStore> =>
  CheckpointStore.open({ models_dir: join(disk, name), dram_dir: join(shm, name), dram_capacity_bytes: 64 * MiB, keep_alive_s: 600, ...over });

const exists = (p: string): Promise<boolean> => stat(p).then(() => true, () => false);

test.serial('register converts once into the disk tier; loadToDram puts a copy on tmpfs; unload removes it', async (t) => {
  const s = await store('a');
  const first = await s.register('tiny');
  t.is(first.disk_dir, join(disk, 'a', 'tiny', 'checkpoint'));
  t.is(await storageTierOf(first.disk_dir), 'disk');
  t.deepEqual(s.holdings().map((h) => [h.model, h.on_disk, h.in_dram]), [['tiny', true, false]]);
  t.true(first.bytes > MiB);
  const c1 = await s.checkout('tiny');
  t.deepEqual([c1.tier, c1.dir], ['disk', first.disk_dir]);
  c1.release();

  await s.loadToDram('tiny');
  const c2 = await s.checkout('tiny');
  t.is(c2.tier, 'dram');
  t.is(await storageTierOf(c2.dir), 'dram', 'the DRAM copy lives on a memory file system');
  t.true(await exists(join(c2.dir, 'index.json')));
  t.false(await s.unload('tiny'), 'a copy being read is not unloaded');
  c2.release();
  t.true(await s.unload('tiny'));
  t.false(await exists(c2.dir));
  t.deepEqual(s.holdings().map((h) => h.in_dram), [false]);
  t.is(s.dram_used_bytes, 0);
  await s.close();
  t.false(await exists(join(shm, 'a')), 'close removes the DRAM tier');
});

test.serial('the DRAM tier evicts the least recently used model to make room, and refuses a model larger than itself', async (t) => {
  const probe = await store('probe');
  const bytes = (await probe.register('tiny')).bytes;
  const s = await store('b', { dram_capacity_bytes: Math.floor(bytes * 1.5) });
  await s.loadToDram('tiny');
  await s.loadToDram('tiny-llama');
  const held = Object.fromEntries(s.holdings().map((h) => [h.model, h.in_dram]));
  t.deepEqual(held, { 'tiny': false, 'tiny-llama': true });
  const small = await store('c', { dram_capacity_bytes: 4096 });
  const err = await t.throwsAsync(small.loadToDram('tiny'));
  t.regex(err.message, /does not fit the DRAM tier of 4096 bytes/);
  for (const x of [probe, s, small]) await x.close();
});

test.serial('keep-alive: a DRAM copy with no instance running is dropped after keep_alive_s; a running instance keeps it', async (t) => {
  const s = await store('d', { keep_alive_s: 0.05 });
  await s.register('tiny');
  s.instanceStarted('tiny');
  await s.loadToDram('tiny');
  await new Promise((r) => setTimeout(r, 300));
  t.true(s.holdings()[0]!.in_dram, 'kept while an instance runs');
  s.instanceStopped('tiny');
  for (let i = 0; i < 100 && s.holdings()[0]!.in_dram; i++) await new Promise((r) => setTimeout(r, 50));
  t.false(s.holdings()[0]!.in_dram, 'dropped once its keep-alive ran out');
  t.true(s.holdings()[0]!.on_disk);
  await s.close();
});

test.serial('bad settings and requests are refused naming the field', async (t) => {
  const onDisk = await t.throwsAsync(CheckpointStore.open({ models_dir: join(disk, 'e'), dram_dir: join(disk, 'not-tmpfs'), dram_capacity_bytes: MiB, keep_alive_s: 1 }));
  t.regex(onDisk.message, /dram_dir = .*not-tmpfs; expected a folder on tmpfs/);
  t.throws(() => agentOptions({ dram_cache_gib: -1 }), { message: /dram_cache_gib = -1; expected/ });
  t.throws(() => agentOptions({ port: 70000 }), { message: /port = 70000/ });
  t.throws(() => parseEngineJson('{"threads":1}'), { message: /engine_json.model = undefined/ });
  t.throws(() => parseEngineJson('[1]'), { message: /expected a JSON object/ });
  t.throws(() => parseEngineJson('{"model":"tiny","checkpoint_dir":"/x"}'), { message: /checkpoint_dir: chosen by the agent/ });
});

test.serial('an agent starts an instance cold from disk, then from the DRAM tier; stages are reported and both serve the same tokens', async (t) => {
  const agent = await startAgent(agentOptions({ host: '127.0.0.3', port: 0, models_dir: join(disk, 'agent'), dram_dir: join(shm, 'agent'), probe_mib: 4, dram_after_start: false }));
  const client = new AgentClient(`127.0.0.3:${agent.port}`);
  try {
    const cold = await client.startInstance({ model: 'tiny' });
    t.is(cold.host, '127.0.0.3');
    t.is(cold.cold_start?.source, 'disk');
    t.true(cold.cold_start!.checkpoint_dir.startsWith(join(disk, 'agent')));
    const loaded = await client.loadModel('tiny');
    t.true(loaded.holding?.in_dram);
    const warm = await client.startInstance({ model: 'tiny' });
    t.is(warm.cold_start?.source, 'dram', 'the second start reads the DRAM tier');
    t.true(warm.cold_start!.checkpoint_dir.startsWith(join(shm, 'agent')));
    for (const c of [cold.cold_start!, warm.cold_start!]) {
      for (const k of ['read_s', 'verify_s', 'copy_s', 'init_s', 'total_s'] as const) t.true(c[k] >= 0 && Number.isFinite(c[k]), `${k} = ${c[k]}`);
      t.true(c.total_s >= c.read_s);
      t.true(c.bytes > 1e6);
    }

    const report = await new Promise<NodeReportMessage>((resolve) => client.subscribeReports(50, resolve, () => undefined));
    t.is(report.node, `127.0.0.3:${agent.port}`);
    t.deepEqual(report.instances.map((i) => i.instance_id).sort(), [cold.instance_id, warm.instance_id].sort());
    t.deepEqual(report.models.map((m) => [m.model, m.on_disk, m.in_dram, m.instances]), [['tiny', true, true, 2]]);
    t.true(report.disk_read_gbps > 0 && report.dram_read_gbps > 0 && report.memcpy_gbps > 0, JSON.stringify(report));
    t.true(report.dram_used_bytes > 0);

    const sampling = parseSamplingParams({ max_tokens: 12, temperature: 0, ignore_eos: true });
    const outs = [];
    for (const i of [cold, warm]) {
      const ic = new InstanceClient(`${i.host}:${i.port}`);
      outs.push((await collect(ic.generate({ request_id: `g${i.instance_id}`, prompt_token_ids: [5, 17, 33, 2], sampling }))).ids);
      ic.close();
    }
    t.is(outs[0]!.length, 12);
    t.deepEqual(outs[1], outs[0], 'the DRAM copy holds the same weights');

    t.true(await client.stopInstance(cold.instance_id));
    t.false(await client.stopInstance(999));
    t.deepEqual((await client.listInstances()).map((i) => i.instance_id), [warm.instance_id]);
    await t.throwsAsync(client.startInstance({ model: '/no/such/model' }), { message: /StartInstance: .*no\/such\/model/ });
  } finally {
    client.close();
    await agent.stop();
  }
});
