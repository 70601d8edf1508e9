import test from 'ava';
import { createPreset, createScheduler, PRESET_NAMES, PRESETS, SchedulerSpec } from '../../policies/index.ts';
import { busy, report, request, running, view } from './helpers.ts';

const cluster = [busy(0, 10, 770), busy(1, 10, 200)]; // 0 is a source, 1 a destination

test('every preset is a valid spec and builds', (t) => {
  for (const name of PRESET_NAMES) {
    t.true(SchedulerSpec.safeParse(PRESETS[name]).success, name);
    t.truthy(createPreset(name));
  }
});

test('round-robin and infaas++ never migrate', (t) => {
  for (const name of ['round-robin', 'infaas++'] as const) {
    const s = createPreset(name);
    t.deepEqual(s.onReport(view(cluster, { reports_total: 8 })), [], name);
    t.is(s.selectRequest([running(1)]), undefined);
  }
});

test('llumnix: pairs on every N × 4-th report and remembers when', (t) => {
  const s = createPreset('llumnix');
  t.deepEqual(s.onReport(view(cluster, { reports_total: 7, now_s: 1 })), []);
  t.is(s.lastPairingS, undefined);
  t.deepEqual(s.onReport(view(cluster, { reports_total: 8, now_s: 2 })), [{ from: 0, to: 1 }]);
  t.is(s.lastPairingS, 2);
  t.is(s.selectRequest([running(1, { length_tokens: 50 }), running(2, { length_tokens: 20 })]), 2);
});

test('interval trigger: the scheduler feeds it the last pairing time', (t) => {
  const s = createScheduler({
    dispatch: { kind: 'load' },
    pairing: { kind: 'defrag' },
    selector: { kind: 'LCFS' },
    trigger: { kind: 'every-interval', interval_s: 0.5 },
  });
  t.is(s.onReport(view(cluster, { now_s: 0 })).length, 1);
  t.is(s.onReport(view(cluster, { now_s: 0.3 })).length, 0);
  t.is(s.onReport(view(cluster, { now_s: 0.5 })).length, 1);
});

test('dispatch goes through the dispatch policy and rejects as data', (t) => {
  const s = createPreset('llumnix');
  t.like(s.dispatch(request(), view(cluster)), { ok: true, value: 1, policy: 'load' });
  t.like(s.dispatch(request(), view([report(0, { state: 'starting' })])), { ok: false, policy: 'load' });
});
