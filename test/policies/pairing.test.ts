import test from 'ava';
import { createPairingPolicy, type ClusterView, type InstanceReport } from '../../policies/index.ts';
import { busy, report, view } from './helpers.ts';

// busy(id, R, used): A = 785 − used, so F_m = (785 − used) / R with no queue.
const overloaded = busy(0, 10, 770); // F = 1.5
const loaded = busy(1, 10, 760); // F = 2.5
const roomy = busy(2, 10, 500); // F = 28.5
const freest = busy(3, 10, 200); // F = 58.5
const atThreshold = busy(4, 10, 755); // F = 3.0: neither side (strict inequalities)

const defrag = createPairingPolicy({ kind: 'defrag' });

test('defrag: i-th most loaded source with i-th freest destination', (t) => {
  t.deepEqual(defrag.pair(view([overloaded, loaded, roomy, freest, atThreshold])), [
    { from: 0, to: 3 },
    { from: 1, to: 2 },
  ]);
});

test('defrag: more sources than destinations pairs only the most loaded', (t) => {
  t.deepEqual(defrag.pair(view([overloaded, loaded, roomy])), [{ from: 0, to: 2 }]);
});

test('defrag: K > 0 forces a source and forbids a destination, however free', (t) => {
  const preempted = busy(5, 2, 100, { killed: 1, waiting: 1, head_waiting_blocks: 5, all_waiting_blocks: 5 });
  t.deepEqual(defrag.pair(view([preempted, roomy])), [{ from: 5, to: 2 }]);
  t.deepEqual(defrag.pair(view([preempted, busy(6, 2, 100, { killed: 2 })])), []);
});

test('defrag: a terminating instance is always the first source and never a destination', (t) => {
  const draining = report(6, { state: 'terminating' }); // idle, would be the freest otherwise
  t.deepEqual(defrag.pair(view([overloaded, roomy, freest, draining])), [
    { from: 6, to: 3 },
    { from: 0, to: 2 },
  ]);
  t.deepEqual(defrag.pair(view([draining, report(7, { state: 'terminating' })])), []);
});

test('defrag: starting instances take no part', (t) => {
  t.deepEqual(defrag.pair(view([overloaded, report(9, { state: 'starting', reported: false })])), []);
});

test('defrag: a pair with a side at the in-flight limit is skipped, not re-paired', (t) => {
  const busyFreest = { ...freest, migrations_in_flight: 1 };
  t.deepEqual(defrag.pair(view([overloaded, loaded, roomy, busyFreest])), [{ from: 1, to: 2 }]);
  const two = createPairingPolicy({ kind: 'defrag', max_concurrency: 2 });
  t.deepEqual(two.pair(view([overloaded, loaded, roomy, busyFreest])), [
    { from: 0, to: 3 },
    { from: 1, to: 2 },
  ]);
});

test('defrag: ties in freeness go to the lowest id on both sides', (t) => {
  const v = view([busy(4, 10, 770), busy(2, 10, 770), busy(7, 10, 200), busy(5, 10, 200)]);
  t.deepEqual(defrag.pair(v), [
    { from: 2, to: 5 },
    { from: 4, to: 7 },
  ]);
});

test('defrag: queued demand — head-of-line by default, all-waiting as the artifact', (t) => {
  // A = 85; HOL: (85 − 10) / 11 ≈ 6.8 (destination); all-waiting: (85 − 60) / 11 ≈ 2.3 (source).
  const queued = busy(7, 10, 700, { waiting: 3, head_waiting_blocks: 10, all_waiting_blocks: 60 });
  t.deepEqual(defrag.pair(view([overloaded, queued])), [{ from: 0, to: 7 }]);
  const artifact = createPairingPolicy({ kind: 'defrag', queued_demand: 'all-waiting' });
  t.deepEqual(artifact.pair(view([queued, freest])), [{ from: 7, to: 3 }]);
});

test('defrag: the threshold option moves the boundary', (t) => {
  const t10 = createPairingPolicy({ kind: 'defrag', migrate_threshold: 10 });
  t.deepEqual(t10.pair(view([atThreshold, roomy])), [{ from: 4, to: 2 }]);
});

test('balanced: skips a destination that would fall below T after the move', (t) => {
  const source = { ...overloaded, last_running_blocks: 50 };
  const small = busy(1, 2, 730); // F = 27.5; after +50 blocks, +1 request: 5 / 3 < 3
  t.deepEqual(createPairingPolicy({ kind: 'balanced' }).pair(view([source, small])), []);
  t.deepEqual(defrag.pair(view([source, small])), [{ from: 0, to: 1 }]);
});

test('balanced: requires the freeness gap to shrink (or the destination to be empty)', (t) => {
  const balanced = createPairingPolicy({ kind: 'balanced' });
  t.deepEqual(balanced.pair(view([{ ...overloaded, last_running_blocks: 5 }, roomy])), [{ from: 0, to: 2 }]);
  // A preempted but very free source would end up freer than its destination: skipped.
  const freeSource = busy(0, 2, 100, { killed: 1, waiting: 1, last_running_blocks: 10 });
  t.deepEqual(balanced.pair(view([freeSource, roomy])), []);
  t.deepEqual(balanced.pair(view([freeSource, report(3)])), [{ from: 0, to: 3 }]);
});

// Mutations: the source/destination sort comparators (always −1 / 1, `<=` / `>=`, id tie-break
// `a.id + b.id`). Ids here run against the load order, so sorting must reorder them.
test('pairing order comes from freeness, not from ids: most loaded source with the freest destination', (t) => {
  const v = view([busy(0, 10, 760), busy(1, 10, 770), busy(2, 10, 765), busy(3, 10, 500), busy(4, 10, 200), busy(5, 10, 400)]);
  // Sources F: 0 → 2.5, 1 → 1.5, 2 → 2.0; destinations F: 3 → 28.5, 4 → 58.5, 5 → 38.5.
  t.deepEqual(defrag.pair(v), [
    { from: 1, to: 4 },
    { from: 2, to: 5 },
    { from: 0, to: 3 },
  ]);
  // Equal freeness on both sides: lowest ids first, whatever the view order.
  const ties: ClusterView = {
    now_s: 0,
    instances: [busy(9, 10, 770), busy(3, 10, 770), busy(8, 10, 200), busy(1, 10, 200)],
    dispatched: [0, 0, 0, 0],
    reports_total: 0,
  };
  t.deepEqual(defrag.pair(ties), [
    { from: 3, to: 1 },
    { from: 9, to: 8 },
  ]);
});

// Mutations: `freeness < T` → `<=` (sources) and `freeness > T` → `>=` (destinations).
test('an instance exactly at the threshold is neither a source nor a destination', (t) => {
  t.deepEqual(defrag.pair(view([atThreshold, roomy])), []);
  t.deepEqual(defrag.pair(view([overloaded, atThreshold])), []);
});

// Each case below is decided by one guard of `balanced` alone (plain freeness A / R, A = free − 7,
// T = 3), so each guard's mutation changes the answer. busy(id, R, used): A = 785 − used.
test('balanced: each guard decides on its own', (t) => {
  const balanced = createPairingPolicy({ kind: 'balanced' });
  const pair = (...instances: InstanceReport[]) => balanced.pair(view(instances));
  const source = busy(0, 10, 785, { last_running_blocks: 1 }); // F = 0; after the move 1/9
  // Destination stays above T. F = 4 → (4 − 1)/2 = 1.5 < 3: refused although the gap shrinks.
  t.deepEqual(pair(source, busy(1, 1, 781)), []);
  // F = 6 → 5/2 = 2.5 < 3 (refused; counting the moved blocks as freed would give 3.5).
  t.deepEqual(pair(source, busy(1, 1, 779)), []);
  // F = 7 → 6/2 = 3 exactly: not below T, accepted.
  t.deepEqual(pair(source, busy(1, 1, 778)), [{ from: 0, to: 1 }]);
  // A draining source always goes, even when the gap cannot be measured (its F is −∞).
  t.deepEqual(pair(busy(0, 2, 100, { state: 'terminating', last_running_blocks: 5 }), busy(2, 10, 500)), [{ from: 0, to: 2 }]);
  // An idle destination always takes it, even when the source would end up infinitely free.
  t.deepEqual(pair(busy(0, 1, 0, { killed: 1, waiting: 1, last_running_blocks: 10 }), report(3)), [{ from: 0, to: 3 }]);
  // The gap must shrink: a source under its watermark (A = 92 − 142 = −50, F = −25) gets more
  // loaded per request when it loses one (−49), so the gap grows: refused.
  t.deepEqual(pair(busy(0, 2, 700, { watermark_blocks: 142, last_running_blocks: 1 }), busy(1, 50, 285)), []);
});
