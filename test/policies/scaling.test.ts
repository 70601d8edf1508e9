import test from 'ava';
import { createScalingPolicy, fleetDispatchFreeness, fleetFreenessWithout } from '../../policies/index.ts';
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
  // Between the thresholds nothing happens: (2·775 − 160·3 − 14)/... stays under 60.
  const middling = [busy(0, 12, 300), busy(1, 12, 300)];
  const without = fleetFreenessWithout(middling, middling[1]!, 'head-of-line');
  t.true(without < 60 && fleetDispatchFreeness(middling) > 10, `${without}`);
  t.deepEqual(avg().decide(view(middling)), []);
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
