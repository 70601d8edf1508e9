// `fleetlab serve --serverless nodes.yaml`: the node-agent config of a serverless fleet, its
// defaults, and errors naming the field, the value and what was expected.
import test from 'ava';
import { ConfigError } from '../../config/index.ts';
import { parseServerlessNodesConfig, serverlessNodesOptions } from '../../backend/serverless/serverless-config.ts';

test('nodes become agent nodes in order, with one slot and the default heartbeat unless told', (t) => {
  const c = parseServerlessNodesConfig({ nodes: [{ address: '127.0.0.1:7070' }, { address: '127.0.0.2:7071', gpus: 2 }] });
  t.deepEqual(serverlessNodesOptions(c), {
    nodes: [{ id: 0, gpus: 1, address: '127.0.0.1:7070' }, { id: 1, gpus: 2, address: '127.0.0.2:7071' }],
    heartbeat: { interval_ms: 500, missed: 3 },
  });
});

for (const [what, input, field] of [
  ['no nodes', { nodes: [] }, /nodes/],
  ['an address without a port', { nodes: [{ address: '127.0.0.2' }] }, /nodes\[0\]\.address/],
  ['zero slots', { nodes: [{ address: '127.0.0.2:7070', gpus: 0 }] }, /nodes\[0\]\.gpus/],
  ['a misspelt field', { nodes: [{ address: '127.0.0.2:7070', gpu: 1 }] }, /gpu/],
  ['a heartbeat below 10 ms', { nodes: [{ address: '127.0.0.2:7070' }], heartbeat: { interval_ms: 5 } }, /heartbeat\.interval_ms/],
] as const) {
  test(`${what} is refused naming the field`, (t) => {
    const err = t.throws(() => parseServerlessNodesConfig(input), { instanceOf: ConfigError });
    t.regex(err.message, field);
  });
}
