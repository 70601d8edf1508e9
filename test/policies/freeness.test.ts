import test from 'ava';
import {
  DEFAULT_LOAD_OPTIONS,
  dispatchFreeness,
  migrationFreeness,
  plainFreeness,
  PolicyInputError,
} from '../../policies/index.ts';
import { busy, report } from './helpers.ts';

// Reference §1.2 worked example: M = 792, W = 7, 20 running on 600 blocks, queued 40 + 30 blocks.
const example = busy(0, 20, 600, { waiting: 2, head_waiting_blocks: 40, all_waiting_blocks: 70 });
const hol = DEFAULT_LOAD_OPTIONS;
const allWaiting = { ...DEFAULT_LOAD_OPTIONS, queued_demand: 'all-waiting' } as const;

test('worked example: dispatch freeness is (185 − 70) / 22', (t) => {
  t.is(dispatchFreeness('t', example, 'normal', hol), 115 / 22);
});

test('worked example: migration freeness, all-waiting, is (185 − 70) / 21', (t) => {
  t.is(migrationFreeness('t', example, allWaiting), 115 / 21);
});

test('worked example: migration freeness, head-of-line (default), is (185 − 40) / 21', (t) => {
  t.is(migrationFreeness('t', example, hol), 145 / 21);
});

test('idle instances are infinitely free, terminating ones infinitely loaded', (t) => {
  t.is(dispatchFreeness('t', report(0), 'normal', hol), Infinity);
  t.is(migrationFreeness('t', report(0), hol), Infinity);
  t.is(plainFreeness('t', report(0)), Infinity);
  const draining = busy(1, 3, 30, { state: 'terminating' });
  t.is(dispatchFreeness('t', draining, 'normal', hol), -Infinity);
  t.is(migrationFreeness('t', draining, hol), -Infinity);
  t.is(plainFreeness('t', draining), -Infinity);
});

test('freeness without defrag is A / R', (t) => {
  t.is(plainFreeness('t', example), 185 / 20);
});

test('priority headroom (M − 100) is charged once when the instance hosts high-priority work', (t) => {
  const withHigh = { ...example, high_priority: 1 };
  t.is(migrationFreeness('t', withHigh, hol), (145 - 692) / 21);
  t.is(dispatchFreeness('t', withHigh, 'normal', hol), (115 - 692) / 22);
  t.is(dispatchFreeness('t', withHigh, 'high', hol), 115 / 22);
  // An instance without high-priority work is penalised for a high-priority request.
  t.is(dispatchFreeness('t', example, 'high', hol), (115 - 692) / 22);
});

test('priority_aware: false ("Llumnix-base") and an explicit headroom', (t) => {
  const withHigh = { ...example, high_priority: 1 };
  t.is(migrationFreeness('t', withHigh, { ...hol, priority_aware: false }), 145 / 21);
  t.is(migrationFreeness('t', withHigh, { ...hol, priority_headroom_blocks: 21 }), 124 / 21);
});

test('a NaN input throws naming the policy, the field and the instance', (t) => {
  const broken = { ...example, id: 7, total_blocks: Number.NaN };
  const error = t.throws(() => migrationFreeness('defrag', broken, hol), { instanceOf: PolicyInputError, name: 'PolicyInputError' });
  t.regex(error?.message ?? '', /defrag.*total_blocks.*instance 7/);
});

// Mutation this catches: the headroom multiplied by the number of high-priority requests
// (`pen = headroom * report.high_priority`, or the same in the migration metric). The artifact
// reserves one headroom per instance, however many high-priority requests it hosts.
test('priority headroom is charged once however many high-priority requests the instance hosts', (t) => {
  for (const high_priority of [2, 3, 7]) {
    const withHigh = { ...example, high_priority };
    t.is(migrationFreeness('t', withHigh, hol), (145 - 692) / 21, `${high_priority} high-priority`);
    t.is(dispatchFreeness('t', withHigh, 'normal', hol), (115 - 692) / 22, `${high_priority} high-priority`);
    t.is(dispatchFreeness('t', withHigh, 'high', hol), 115 / 22, `${high_priority} high-priority`);
    const explicit = { ...hol, priority_headroom_blocks: 21 };
    t.is(migrationFreeness('t', withHigh, explicit), 124 / 21);
    t.is(dispatchFreeness('t', withHigh, 'normal', explicit), 94 / 22);
  }
});

// Mutation: the `R + Q = 0 → +∞` guards removed. An idle instance whose free blocks are under
// its watermark (blocks reserved for an incoming migration) would then score (A − …)/0 = −∞,
// the most loaded, instead of the freest.
test('an idle instance is infinitely free even with no block above its watermark', (t) => {
  const reservedIdle = report(0, { free_blocks: 3 });
  t.is(dispatchFreeness('t', reservedIdle, 'normal', hol), Infinity);
  t.is(migrationFreeness('t', reservedIdle, hol), Infinity);
  t.is(plainFreeness('t', reservedIdle), Infinity);
});
