import test from 'ava';
import {
  createPlacementPolicy,
  PLACEMENT_KINDS,
  ConfigError,
  type InstanceView,
  type ModelView,
  type NodeView,
  type PlacementView,
} from './helpers.ts';

const GB = 1e9;
const model = (name: string, size_gb: number): ModelView => ({
  name,
  size_bytes: size_gb * GB,
  gpus_per_instance: 1,
  resume_s_per_token: 0.0002,
  resume_base_s: 0.1,
  decode_s_per_token: 0.025,
});
const node = (id: number, free: number[], dram: string[], ssd: string[] = dram): NodeView => ({
  id,
  gpus_total: 1,
  free_gpus: free,
  dram_models: dram,
  ssd_models: ssd,
  loading_backlog_s: 0,
  bandwidth: { network_bytes_per_s: 1.25 * GB, ssd_bytes_per_s: 6 * GB, pcie_bytes_per_s_per_gpu: 25 * GB },
  load_overhead_s: 0.1,
});
const busy = (id: number, m: string, nodeId: number, generated: number, max_tokens: number): InstanceView => ({
  id,
  model: m,
  node: nodeId,
  gpus: [0],
  state: 'ready',
  inferences: [{ request: id, prompt_tokens: 100, generated_tokens: generated, max_tokens }],
});
const view = (nodes: NodeView[], instances: InstanceView[]): PlacementView => ({
  now_s: 0,
  nodes,
  instances,
  models: new Map([model('big', 13), model('small', 3)].map((m) => [m.name, m])),
});
const place = (kind: string, v: PlacementView) => createPlacementPolicy({ kind }).place({ model: 'small', since_s: 0 }, v);

// Node 0 holds `small` (and `big`) and runs `big`; node 1 is free and holds `big` only.
const contended = (remaining: number) => view([node(0, [], ['small', 'big']), node(1, [0], ['big'])], [busy(7, 'big', 0, 200, 200 + remaining)]);

test('locality-migrate migrates when that frees the local node sooner than anything else', (t) => {
  const d = place('locality-migrate', contended(1000));
  t.is(d.kind, 'place');
  if (d.kind !== 'place') return;
  t.is(d.node, 0);
  t.is(d.tier, 'dram');
  t.deepEqual(d.victims, [{ instance: 7, action: 'migrate', to: { node: 1, gpus: [0] } }]);
  // big on node 1 from DRAM (0.1 + 0.52) + resume (0.0002 × 300 + 0.1) + small from DRAM (0.1 + 0.12).
  t.true(Math.abs(d.estimated_startup_s - (0.62 + 0.16 + 0.22)) < 1e-9);
});

test('locality-migrate waits for the local node when its inference ends sooner', (t) => {
  // 10 tokens left × 25 ms = 0.25 s + 0.22 s load < 1.0 s migration plan < 2.5 s remote load.
  const d = place('locality-migrate', contended(10));
  t.is(d.kind, 'reject');
  if (d.kind === 'reject') t.regex(d.reasons[0] ?? '', /waiting for node 0/);
});

test('locality-wait waits; availability loads remotely on the free node; preempt kills the victim', (t) => {
  const wait = place('locality-wait', contended(1000));
  t.is(wait.kind, 'reject');
  const avail = place('availability', contended(1000));
  t.like(avail, { kind: 'place', node: 1, tier: 'remote', victims: [] });
  const pre = place('preempt', contended(1000));
  t.like(pre, { kind: 'place', node: 0, tier: 'dram' });
  if (pre.kind === 'place') t.deepEqual(pre.victims, [{ instance: 7, action: 'preempt', idle: false }]);
});

test('with nothing local anywhere, every policy takes the first free GPUs', (t) => {
  const v = view([node(0, [], ['big']), node(1, [0], ['big'])], [busy(7, 'big', 0, 10, 100)]);
  for (const kind of PLACEMENT_KINDS) t.like(place(kind, v), { kind: 'place', node: 1, tier: 'remote' }, kind);
});

test('idle kept-alive instances are reclaimed at no cost', (t) => {
  const idle: InstanceView = { id: 3, model: 'big', node: 0, gpus: [0], state: 'ready', inferences: [] };
  const v = view([node(0, [], ['small'])], [idle]);
  for (const kind of PLACEMENT_KINDS) {
    const d = place(kind, v);
    t.like(d, { kind: 'place', node: 0, tier: 'dram' }, kind);
    if (d.kind === 'place') t.deepEqual(d.victims, [{ instance: 3, action: 'preempt', idle: true }], kind);
  }
});

/** Freezes a view all the way down, so a policy that writes to its input throws (ESM is strict). */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of value instanceof Map ? value.values() : Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

// Mutations: a policy that keeps state between calls (a cursor, a cache keyed by model) or
// edits the view it is given (e.g. `node.free_gpus.splice(...)` while planning).
test('a placement policy keeps no state between calls and never writes to its view', (t) => {
  for (const kind of PLACEMENT_KINDS) {
    const policy = createPlacementPolicy({ kind });
    const views = [contended(1000), contended(10), contended(1000)].map(deepFreeze);
    const answers = views.map((v) => policy.place({ model: 'small', since_s: 0 }, v));
    t.deepEqual(answers[0], place(kind, contended(1000)), `${kind}: same as a fresh policy`);
    t.deepEqual(answers[1], place(kind, contended(10)), kind);
    t.deepEqual(answers[2], answers[0], `${kind}: the first view again, the first answer again`);
  }
  // The two views do lead to different decisions, so the comparisons above can fail.
  t.notDeepEqual(place('locality-migrate', contended(1000)), place('locality-migrate', contended(10)));
});

test('placement specs are validated', (t) => {
  const error = t.throws(() => createPlacementPolicy({ kind: 'locality-migrate', migration: 'yes' }));
  t.true(error instanceof ConfigError);
  t.regex(error?.message ?? '', /placement\.migration.*boolean.*"yes"/);
  t.throws(() => createPlacementPolicy({ kind: 'fastest' }), { message: /placement\.kind/ });
});
