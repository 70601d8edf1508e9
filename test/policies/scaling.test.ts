import test from 'ava';
import { createScalingPolicy, fleetDispatchFreeness, fleetFreenessWithout, type ClusterView, type InstanceReport } from '../../policies/index.ts';
import { busy, report, view } from './helpers.ts';

const avg = (fields: Record<string, unknown> = {}) => createScalingPolicy({ kind: 'avg_load', scale_up_threshold: 10, ...fields });

test('avg_load is a ratio of sums: the fleet as one instance', (t) => {
  const fleet = [busy(0, 10, 700), busy(1, 2, 100)];
  // (85 + 685) / 12, not the mean of 8.5 and 342.5.
  t.is(fleetDispatchFreeness(fleet), (792 - 700 - 7 + 792 - 100 - 7) / 12);
  t.is(fleetDispatchFreeness([report(0)]), Number.POSITIVE_INFINITY);
});

test('scale-up adds empty instances until the fleet freeness reaches the threshold', (t) => {
  // 4 instances, 40 requests each, 700 blocks used: F = 4·85 / 160 = 2.1 < 10.
  const fleet = [0, 1, 2, 3].map((id) => busy(id, 40, 700));
  const decisions = avg().decide(view(fleet));
  // Needs (340 + n·792) / 160 ≥ 10 → n = 2.
  t.deepEqual(decisions, [{ kind: 'scale-up', n: 2 }]);
  // Capped by max_instances, and never while another instance is still starting.
  t.deepEqual(avg({ max_instances: 5 }).decide(view(fleet)), [{ kind: 'scale-up', n: 1 }]);
  t.deepEqual(avg().decide(view([...fleet, report(4, { state: 'starting', reported: false })])), []);
});

test('scale-down removes one instance when the fleet without it stays above up + 50', (t) => {
  const idle = [busy(0, 1, 10), busy(1, 1, 10), busy(2, 1, 10)];
  t.deepEqual(avg().decide(view(idle)), [{ kind: 'scale-down', instance: 2 }]);
  t.deepEqual(avg({ victim: 'fewest-running' }).decide(view([busy(0, 0, 0), busy(1, 3, 30), busy(2, 1, 10)])), [
    { kind: 'scale-down', instance: 0 },
  ]);
  // Not below min_instances, not while another instance drains.
  t.deepEqual(avg({ min_instances: 3 }).decide(view(idle)), []);
  t.deepEqual(avg().decide(view([...idle, report(3, { state: 'terminating' })])), []);
});

// Fleets whose freeness without the victim (instance 1) is worked out by hand:
// (free_0 − used_1 − W_0 − queued) / (R_0 + R_1) = (792 − used_0 − used_1 − 7) / R.
// Mutations this catches: `down = up + 20` and `down = up + 100` (the artifact's + 50),
// `after > down` → `after >= down`.
test('scale-down threshold defaults to scale_up_threshold + 50 (artifact), strictly above', (t) => {
  // (792 − 200 − 135 − 7) / 10 = 45: above up + 20 = 30, below up + 50 = 60 → no decision.
  const at45 = [busy(0, 5, 200), busy(1, 5, 135)];
  t.is(fleetFreenessWithout(at45, at45[1]!, 'head-of-line'), 45);
  t.deepEqual(avg().decide(view(at45)), []);
  // (792 − 200 − 160 − 7) / 5 = 85: above up + 50, below up + 100 → scale down.
  const at85 = [busy(0, 3, 200), busy(1, 2, 160)];
  t.deepEqual(avg().decide(view(at85)), [{ kind: 'scale-down', instance: 1 }]);
  // (792 − 300 − 185 − 7) / 5 = 60: exactly up + 50 is not above it.
  const at60 = [busy(0, 3, 300), busy(1, 2, 185)];
  t.deepEqual(avg().decide(view(at60)), []);
  // The default follows scale_up_threshold: up = 30 → down = 80, so 85 still scales down, 45 not.
  t.deepEqual(avg({ scale_up_threshold: 30 }).decide(view(at85)), [{ kind: 'scale-down', instance: 1 }]);
  t.deepEqual(avg({ scale_up_threshold: 40 }).decide(view(at85)), []);
  // An explicit scale_down_threshold replaces the default.
  t.deepEqual(avg({ scale_down_threshold: 40 }).decide(view(at45)), [{ kind: 'scale-down', instance: 1 }]);
});

test('a scale-up while an instance drains counts the draining one toward n', (t) => {
  const fleet = [busy(0, 40, 700), busy(1, 40, 700), report(2, { state: 'terminating', running: 3, free_blocks: 700 })];
  t.deepEqual(avg({ max_instances: 3 }).decide(view(fleet)), [{ kind: 'scale-up', n: 1 }]);
});

test('nothing is decided until every active instance has reported', (t) => {
  const fleet = [busy(0, 40, 700), report(1, { reported: false })];
  t.deepEqual(avg().decide(view(fleet)), []);
});

test('max_load reacts to the most loaded instance, min_load to the least loaded', (t) => {
  const fleet = [busy(0, 40, 700), busy(1, 1, 10)];
  t.deepEqual(createScalingPolicy({ kind: 'max_load' }).decide(view(fleet)), [{ kind: 'scale-up', n: 1 }]);
  t.deepEqual(createScalingPolicy({ kind: 'min_load' }).decide(view(fleet)), [{ kind: 'scale-down', instance: 1 }]);
});

test('scaling specs are validated with errors naming the field', (t) => {
  t.throws(() => createScalingPolicy({ kind: 'avg_load', min_instances: 5, max_instances: 2 }), { message: /scaling\.min_instances/ });
  t.throws(() => createScalingPolicy({ kind: 'avg_load', scale_up_threshold: 10, scale_down_threshold: 5 }), {
    message: /scaling\.scale_down_threshold/,
  });
  t.throws(() => createScalingPolicy({ kind: 'p99' }), { message: /scaling\.kind/ });
});

// Hand-computed aggregates (busy(): M = 792, W = 7). Mutations: any sign flip in the sums,
// the queued-demand switch ignored, the `[Q > 0]` term dropped or negated.
test('fleet freeness counts waiting requests and their demand', (t) => {
  const queued = busy(0, 4, 300, { waiting: 2, head_waiting_blocks: 10, all_waiting_blocks: 30 });
  // (492 − 7 − 30) / (4 + 2)
  t.is(fleetDispatchFreeness([queued]), 455 / 6);
  // Two instances plus 792 empty blocks: (455 + 592 − 7 + 792) / (6 + 3)
  t.is(fleetDispatchFreeness([queued, busy(1, 3, 200)], 792), (455 + 585 + 792) / 9);
  const victim = busy(1, 3, 200, { waiting: 1, head_waiting_blocks: 4, all_waiting_blocks: 4 });
  // Without 1: free 492 − used_1 200 = 292; − W_0 7; running 7, waiting 3 → denominator 7 + 1.
  t.is(fleetFreenessWithout([queued, victim], victim, 'head-of-line'), (292 - 7 - 14) / 8);
  t.is(fleetFreenessWithout([queued, victim], victim, 'all-waiting'), (292 - 7 - 34) / 8);
  // The victim's used blocks may exceed what the others have free: absorbed is clamped at 0.
  t.is(fleetFreenessWithout([busy(0, 1, 700), busy(1, 1, 600)], busy(1, 1, 600), 'head-of-line'), (0 - 7) / 2);
  t.is(fleetFreenessWithout([report(0), report(1)], report(1), 'head-of-line'), Number.POSITIVE_INFINITY);
});

test('the scale-in victim: highest id, or fewest running with ties to the highest id', (t) => {
  const idle = [busy(0, 1, 10), busy(1, 1, 10), busy(2, 1, 10)];
  t.deepEqual(avg({ victim: 'fewest-running' }).decide(view(idle)), [{ kind: 'scale-down', instance: 2 }]);
  const mixed = [busy(0, 2, 20), busy(1, 0, 0), busy(2, 1, 10), busy(3, 0, 0)];
  t.deepEqual(avg({ victim: 'fewest-running' }).decide(view(mixed)), [{ kind: 'scale-down', instance: 3 }]);
  t.deepEqual(avg({ victim: 'fewest-running' }).decide(view([busy(0, 0, 0), busy(1, 2, 20), busy(2, 1, 10)])), [
    { kind: 'scale-down', instance: 0 },
  ]);
  t.deepEqual(avg().decide(view([busy(0, 0, 0), busy(1, 2, 20), busy(2, 3, 30)])), [{ kind: 'scale-down', instance: 2 }]);
});

test('scale-up: strictly below the threshold, n capped by max_instances, none when no room', (t) => {
  // One instance at exactly F = 10: (792 − 7 − 705) / 8 = 10 → neither up nor (F ≤ 60) down.
  t.deepEqual(avg().decide(view([busy(0, 8, 705)])), []);
  // Just below: one empty instance brings (80 − 1 + 792) / 8 far above 10 → n = 1.
  t.deepEqual(avg().decide(view([busy(0, 8, 706)])), [{ kind: 'scale-up', n: 1 }]);
  // Deeply overloaded: n grows until freeness ≥ 10 (n = 5: (20 + 5·792) / 400 = 9.95 < 10 → 6)…
  const heavy = [busy(0, 400, 765)];
  t.deepEqual(avg().decide(view(heavy)), [{ kind: 'scale-up', n: 6 }]);
  // …but never past max_instances (fleet 1 → at most 3 more), and not at all when full.
  t.deepEqual(avg({ max_instances: 4 }).decide(view(heavy)), [{ kind: 'scale-up', n: 3 }]);
  t.deepEqual(avg({ max_instances: 1 }).decide(view(heavy)), []);
  // max_load / min_load add one instance at a time.
  t.deepEqual(createScalingPolicy({ kind: 'max_load' }).decide(view(heavy)), [{ kind: 'scale-up', n: 1 }]);
});

test('nothing is decided with no active instance, or before any of them has reported', (t) => {
  t.deepEqual(avg().decide(view([report(0, { state: 'starting', reported: false })])), []);
  t.deepEqual(avg().decide(view([busy(0, 400, 765, { reported: false }), busy(1, 400, 765)])), []);
  t.deepEqual(avg().decide(view([busy(0, 400, 765), busy(1, 400, 765, { reported: false })])), []);
});

// Mutation: the `no requests → +∞` guards of the fleet metrics removed. An idle fleet whose
// free blocks sit under the watermark (reserved for migrations) would score −∞ and scale up.
test('an idle fleet is infinitely free even with no block above the watermark', (t) => {
  t.is(fleetDispatchFreeness([report(0, { free_blocks: 3 })]), Number.POSITIVE_INFINITY);
  const fleet = [report(0, { free_blocks: 0 }), report(1)];
  t.is(fleetFreenessWithout(fleet, fleet[1]!, 'head-of-line'), Number.POSITIVE_INFINITY);
});

// Mutation: `kind === 'avg_load'` → false (the fleet judged by its freest instance instead).
test('avg_load judges the fleet as one instance, not by its freest member', (t) => {
  // (5 + 285) / 101 ≈ 2.9 < 10, although instance 1 alone has F = 285.
  t.deepEqual(avg().decide(view([busy(0, 100, 780), busy(1, 1, 500)])), [{ kind: 'scale-up', n: 1 }]);
});

// Mutation: `fleetDispatchFreeness(...) < up` → `<= up` in the loop adding empty instances.
test('scale-up stops adding instances as soon as the fleet reaches the threshold exactly', (t) => {
  // A = 792 − 777 − 7 = 8, R = 80: with one empty instance (8 + 792) / 80 = 10 exactly.
  t.deepEqual(avg().decide(view([busy(0, 80, 777)])), [{ kind: 'scale-up', n: 1 }]);
});

// Mutations: the victim rules reduced to "the last in view order" (`true`, `>=`, `<=`): the
// view below is not sorted by id.
test('the scale-in victim does not depend on the order of the view', (t) => {
  const unsorted = (instances: InstanceReport[]): ClusterView => ({ now_s: 0, instances, dispatched: instances.map(() => 0), reports_total: 0 });
  const fleet = [busy(2, 1, 10), busy(0, 1, 10), busy(3, 1, 10), busy(1, 1, 10)];
  t.deepEqual(avg().decide(unsorted(fleet)), [{ kind: 'scale-down', instance: 3 }]);
  t.deepEqual(avg({ victim: 'fewest-running' }).decide(unsorted(fleet)), [{ kind: 'scale-down', instance: 3 }]);
  const mixed = [busy(1, 0, 0), busy(3, 2, 20), busy(0, 0, 0), busy(2, 1, 10)];
  t.deepEqual(avg({ victim: 'fewest-running' }).decide(unsorted(mixed)), [{ kind: 'scale-down', instance: 1 }]);
});

// Mutation: `scale_down_threshold > scale_up_threshold` → `>=` in the spec check.
test('equal scale-up and scale-down thresholds are refused (the fleet would oscillate)', (t) => {
  t.throws(() => createScalingPolicy({ kind: 'avg_load', scale_up_threshold: 10, scale_down_threshold: 10 }), { message: /scaling\.scale_down_threshold/ });
  t.truthy(createScalingPolicy({ kind: 'avg_load', scale_up_threshold: 10, scale_down_threshold: 10.5 }).decide);
});

// Mutation: the per-instance freeness of max_load / min_load asked for another priority than
// 'normal' (the priority headroom, 692 blocks, would then be charged to every instance).
test('max_load / min_load judge instances as a normal request sees them', (t) => {
  // F = (792 − 700 − 7) / 1 = 85 on both: above up + 50 → scale down the highest id.
  const fleet = [busy(0, 1, 700), busy(1, 1, 700)];
  t.deepEqual(createScalingPolicy({ kind: 'min_load' }).decide(view(fleet)), [{ kind: 'scale-down', instance: 1 }]);
  t.deepEqual(createScalingPolicy({ kind: 'max_load' }).decide(view(fleet)), [{ kind: 'scale-down', instance: 1 }]);
});
