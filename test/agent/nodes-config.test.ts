// `nodes:` in the fleet config: checked field by field; without it the manager spawns local
// instances as before; an agent that never answers fails the start with a clear error.
import test from 'ava';
import { AgentInstances } from '../../backend/manager/agent-instances.ts';
import { fleetOptions, parseFleetConfig } from '../../backend/manager/fleet-config.ts';
import { instanceSource, LocalInstances } from '../../backend/manager/instance-source.ts';

test('without nodes the fleet starts local instances, as before', (t) => {
  const o = fleetOptions(parseFleetConfig({ instances: 3 }));
  t.is(o.instances, 3);
  t.is(o.nodes, undefined);
  const source = instanceSource(o);
  t.true(source instanceof LocalInstances);
  t.is((source as LocalInstances).count, 3);
});

test('nodes give the instances per agent and the heartbeat', async (t) => {
  const o = fleetOptions(parseFleetConfig({ nodes: [{ address: '127.0.0.2:7070', instances: 2 }, { address: '127.0.0.3:7070', instances: 1 }], heartbeat: { interval_ms: 200 } }));
  t.is(o.instances, 3);
  t.deepEqual(o.heartbeat, { interval_ms: 200, missed: 3 });
  const source = instanceSource(o);
  t.true(source instanceof AgentInstances);
  await source.close();
});

test('a bad node entry is refused naming the field', (t) => {
  t.throws(() => parseFleetConfig({ nodes: [{ address: '127.0.0.2', instances: 1 }] }), { message: /nodes\.0\.address|nodes\[0\]\.address/ });
  t.throws(() => parseFleetConfig({ nodes: [{ address: '127.0.0.2:7070', instances: -1 }] }), { message: /nodes\.0\.instances|nodes\[0\]\.instances/ });
  t.throws(() => parseFleetConfig({ nodes: [] }), { message: /nodes/ });
  t.throws(() => new AgentInstances([{ address: 'nowhere', instances: 1 }]), { message: /nodes\[0\]\.address = "nowhere"; expected host:port/ });
  t.throws(() => new AgentInstances([{ address: '127.0.0.2:1', instances: 1 }], { interval_ms: 5, missed: 3 }), { message: /heartbeat\.interval_ms = 5/ });
});

test('an agent that never reports fails the start, naming it', async (t) => {
  // Port 1 on 127.0.0.9: nothing listens there.
  const source = new AgentInstances([{ address: '127.0.0.9:1', instances: 1 }], { interval_ms: 50, missed: 2 });
  await t.throwsAsync(source.startAll({ model: 'tiny' }), { message: /node agent 127\.0\.0\.9:1 sent no report within 2 × 50 ms/ });
});
