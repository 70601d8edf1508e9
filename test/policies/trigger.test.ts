import test from 'ava';
import { createMigrationTrigger } from '../../policies/index.ts';
import { report, view } from './helpers.ts';

test('every-reports: due every N × k reports, N = non-starting instances', (t) => {
  const trigger = createMigrationTrigger({ kind: 'every-reports' });
  const instances = [report(0), report(1), report(2, { state: 'terminating' }), report(3, { state: 'starting' })];
  const due = Array.from({ length: 30 }, (_, i) => i)
    .filter((n) => trigger.due(view(instances, { reports_total: n }), undefined));
  t.deepEqual(due, [12, 24]); // N = 3, k = 4
});

test('every-reports: k is an option; no instance → never due', (t) => {
  const trigger = createMigrationTrigger({ kind: 'every-reports', reports_per_instance: 1 });
  t.true(trigger.due(view([report(0), report(1)], { reports_total: 2 }), undefined));
  t.false(trigger.due(view([report(0), report(1)], { reports_total: 3 }), undefined));
  t.false(trigger.due(view([], { reports_total: 4 }), undefined));
});

test('every-interval: due on the first report, then after interval_s', (t) => {
  const trigger = createMigrationTrigger({ kind: 'every-interval' });
  t.true(trigger.due(view([report(0)], { now_s: 0.01 }), undefined));
  t.false(trigger.due(view([report(0)], { now_s: 1.04 }), 1));
  t.true(trigger.due(view([report(0)], { now_s: 1.05 }), 1));
  t.true(trigger.due(view([report(0)], { now_s: 0.15 }), 0.1)); // float: 0.15 − 0.1 < 0.05
  const slow = createMigrationTrigger({ kind: 'every-interval', interval_s: 2 });
  t.false(slow.due(view([report(0)], { now_s: 2.5 }), 1));
});

// Mutation: `>= interval − slack` → `>`: exactly one interval (less the slack) later is due.
test('every-interval: due at exactly interval_s (within a nanosecond of float slack)', (t) => {
  const trigger = createMigrationTrigger({ kind: 'every-interval', interval_s: 1 });
  t.true(trigger.due(view([report(0)], { now_s: 1 - 1e-9 }), 0));
  t.false(trigger.due(view([report(0)], { now_s: 1 - 2e-9 }), 0));
});
