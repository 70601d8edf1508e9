import test from 'ava';
import seedrandom from 'seedrandom';
import { activeOnly, ConfigError, createDispatchPolicy, makeDispatchPolicy, PolicyInputError, type ClusterView, type DispatchPolicy } from '../../policies/index.ts';
import { busy, report, request, view } from './helpers.ts';

const pick = (policy: DispatchPolicy, v: ClusterView, r = request()): number | undefined => {
  const verdict = policy.choose(r, v);
  return verdict.ok ? verdict.value : undefined;
};

test('round-robin: fewest dispatched, ties → lowest id, cycles 0..N−1', (t) => {
  const rr = createDispatchPolicy({ kind: 'round-robin' });
  const counts = [0, 0, 0];
  const order: number[] = [];
  for (let i = 0; i < 6; i++) {
    const chosen = pick(rr, view([report(0), report(1), report(2)], { dispatched: counts })) as number;
    order.push(chosen);
    counts[chosen] = (counts[chosen] ?? 0) + 1;
  }
  t.deepEqual(order, [0, 1, 2, 0, 1, 2]);
  // A late-joining instance catches up first.
  t.is(pick(rr, view([report(0), report(1), report(2)], { dispatched: [5, 5, 1] })), 2);
});

test('round-robin skips non-active instances even when they have the fewest dispatched', (t) => {
  const rr = createDispatchPolicy({ kind: 'round-robin' });
  const v = view([report(0, { state: 'terminating' }), report(1, { state: 'starting' }), report(2)], {
    dispatched: [0, 0, 9],
  });
  t.is(pick(rr, v), 2);
});

test('load: round-robin warm-up until every active instance has reported', (t) => {
  const load = createDispatchPolicy({ kind: 'load' });
  // Instance 0 is much freer, but instance 1 has not reported yet: fewest dispatched wins.
  const warming = view([report(0), busy(1, 50, 700, { reported: false })], { dispatched: [1, 0] });
  t.is(pick(load, warming), 1);
  // A starting (not yet active) instance does not hold the warm-up.
  const starting = view([busy(0, 50, 700), report(1), report(2, { state: 'starting', reported: false })], {
    dispatched: [0, 5, 0],
  });
  t.is(pick(load, starting), 1);
});

test('load: highest dispatch freeness after warm-up', (t) => {
  const load = createDispatchPolicy({ kind: 'load' });
  const v = view([busy(0, 10, 500), busy(1, 10, 100), busy(2, 10, 300)], { dispatched: [0, 9, 0] });
  t.is(pick(load, v), 1);
});

test('load: ties (all idle, F = +∞) → fewest dispatched, then lowest id', (t) => {
  const load = createDispatchPolicy({ kind: 'load' });
  t.is(pick(load, view([report(0), report(1), report(2)], { dispatched: [2, 1, 1] })), 1);
  t.is(pick(load, view([report(3), report(1)], { dispatched: [0, 0] })), 1);
});

test('load: priority penalty steers high-priority work to instances hosting it, normal away', (t) => {
  const load = createDispatchPolicy({ kind: 'load' });
  // Instance 0 is freer, but instance 1 already hosts a high-priority request.
  const v = view([busy(0, 4, 100), busy(1, 8, 200, { high_priority: 1 })]);
  t.is(pick(load, v, request({ priority: 'high' })), 1);
  t.is(pick(load, v, request({ priority: 'normal' })), 0);
  // Without priority awareness ("Llumnix-base") both go to the freest instance.
  const base = createDispatchPolicy({ kind: 'load', priority_aware: false });
  t.is(pick(base, v, request({ priority: 'high' })), 0);
});

test('least-requests: fewest running + waiting, ties by dispatched then id', (t) => {
  const lr = createDispatchPolicy({ kind: 'least-requests' });
  t.is(pick(lr, view([busy(0, 3, 700), busy(1, 2, 10, { waiting: 2 }), busy(2, 3, 10)])), 0);
  t.is(pick(lr, view([busy(0, 3, 10), busy(1, 3, 10), busy(2, 3, 10)], { dispatched: [4, 4, 3] })), 2);
});

test('random: follows the seeded stream, uniform over active instances', (t) => {
  const v = view([report(0), report(1, { state: 'terminating' }), report(2), report(3)]);
  const draw = (seed: string): number[] => {
    const policy = createDispatchPolicy({ kind: 'random' }, { rng: seedrandom(seed) });
    return Array.from({ length: 300 }, () => pick(policy, v) as number);
  };
  const a = draw('s');
  t.deepEqual(a, draw('s'));
  t.false(a.includes(1));
  for (const id of [0, 2, 3]) t.true(a.filter((x) => x === id).length > 60, `instance ${id} under-drawn`);
});

// Mutations: the empty-cluster and no-feasible rejections emptied or skipped; filter reasons
// dropped from the verdict.
test('"no" is data: an empty cluster, or one with no active instance, is rejected with reasons', (t) => {
  const load = createDispatchPolicy({ kind: 'load' });
  t.deepEqual(load.choose(request(), view([])), { ok: false, policy: 'load', reasons: ['the cluster has no instances'] });
  t.deepEqual(load.choose(request(), view([report(0, { state: 'starting' }), report(1, { state: 'terminating' })])), {
    ok: false,
    policy: 'load',
    reasons: ['no feasible instance', 'active-only: instance 0 is starting', 'active-only: instance 1 is terminating'],
  });
});

// Mutations: the tie-break `before()` reduced to view order (`a.dispatched < b.dispatched` always
// decisive, or the id comparison made `<=`/false). The view below is deliberately not sorted.
test('score ties go to the fewest dispatched, then the lowest id, whatever the view order', (t) => {
  const unsorted = (dispatched: number[]): ClusterView => ({ now_s: 0, instances: [report(2), report(0), report(1)], dispatched, reports_total: 0 });
  const rr = createDispatchPolicy({ kind: 'round-robin' });
  t.is(pick(rr, unsorted([0, 0, 0])), 0);
  t.is(pick(rr, unsorted([0, 1, 1])), 2);
  t.is(pick(rr, unsorted([1, 0, 0])), 0);
  t.is(pick(rr, unsorted([1, 1, 0])), 1);
  // Idle instances all score +∞ under the load policy: the same tie-break decides.
  t.is(pick(createDispatchPolicy({ kind: 'load' }), unsorted([3, 2, 2])), 0);
});

test('a NaN or missing score fails loudly, naming the policy and the instance', (t) => {
  const nan = makeDispatchPolicy('nan-scorer', [activeOnly], (_r, candidates) => candidates.map((c) => (c.report.id === 1 ? Number.NaN : 1)));
  t.throws(() => nan.choose(request(), view([report(0), report(1)])), { instanceOf: PolicyInputError, message: /nan-scorer: dispatch score of instance 1 is NaN/ });
  const short = makeDispatchPolicy('short-scorer', [activeOnly], () => [1]);
  t.throws(() => short.choose(request(), view([report(0), report(1)])), { instanceOf: PolicyInputError, message: /short-scorer.*instance 1/ });
});

// Mutations: the range check of the draw removed, or its bounds loosened (`> 0`, `<= 1`, `||`).
test('random: a draw outside [0, 1) is a configuration error, 0 is a valid draw', (t) => {
  const v = view([report(0), report(1), report(2)]);
  for (const bad of [1, -0.01, Number.NaN, 1.5]) {
    const policy = createDispatchPolicy({ kind: 'random' }, { rng: () => bad });
    t.throws(() => policy.choose(request(), v), { instanceOf: ConfigError, message: /dispatch\.rng\(\).*\[0, 1\)/ }, String(bad));
  }
  t.is(pick(createDispatchPolicy({ kind: 'random' }, { rng: () => 0 }), v), 0);
  t.is(pick(createDispatchPolicy({ kind: 'random' }, { rng: () => 0.999 }), v), 2);
});
