import test from 'ava';
import { createPreset, createScheduler, PRESET_NAMES, PRESETS, SchedulerSpec } from '../../policies/index.ts';
import { busy, report, request, running, view } from './helpers.ts';

const cluster = [busy(0, 10, 770), busy(1, 10, 200)]; // 0 is a source, 1 a destination

test('every preset is a valid spec and builds the parts the paper names', (t) => {
  // Reference §2, §3, §5.1: which dispatch, pairing, selector and trigger each system uses.
  const expected = {
    'round-robin': ['round-robin', undefined, undefined, undefined],
    'infaas++': ['load', undefined, undefined, undefined],
    llumnix: ['load', 'defrag', 'SR', 'every-reports'],
    'llumnix-base': ['load', 'defrag', 'SR', 'every-reports'],
    'llumnix-artifact': ['load', 'defrag', 'LCFS', 'every-reports'],
  };
  t.deepEqual([...PRESET_NAMES].sort(), Object.keys(expected).sort());
  for (const name of PRESET_NAMES) {
    t.true(SchedulerSpec.safeParse(PRESETS[name]).success, name);
    const s = createPreset(name);
    const m = s.migration;
    t.deepEqual([s.dispatchPolicy.name, m?.pairing.name, m?.selector.name, m?.trigger.name], expected[name], name);
  }
});

test('llumnix-base differs from llumnix only in ignoring priorities', (t) => {
  // Instance 0 hosts high-priority work; 1 is freer. F_d: (392 − 7)/10 vs (592 − 7)/10.
  const fleet = [busy(0, 10, 400, { high_priority: 1 }), busy(1, 10, 200)];
  const high = request({ priority: 'high' });
  // Llumnix charges instance 1 the headroom (792 − 100) for a high-priority request.
  t.like(createPreset('llumnix').dispatch(high, view(fleet)), { ok: true, value: 0 });
  t.like(createPreset('llumnix-base').dispatch(high, view(fleet)), { ok: true, value: 1 });
  for (const name of ['llumnix', 'llumnix-base'] as const) t.like(createPreset(name).dispatch(request(), view(fleet)), { ok: true, value: 1 }, name);
});

test('llumnix-artifact counts all waiting requests and migrates the latest admitted (LCFS)', (t) => {
  // Instance 0: A = 792 − 700 − 7 = 85; head-of-line demand 5 → F_m = 80/11 ≈ 7.3 (not a source
  // at T = 3); all-waiting demand 60 → 25/11 ≈ 2.3 (a source).
  const fleet = [busy(0, 10, 700, { waiting: 3, head_waiting_blocks: 5, all_waiting_blocks: 60 }), busy(1, 2, 100)];
  const onEighthReport = view(fleet, { reports_total: 8 });
  t.deepEqual(createPreset('llumnix').onReport(onEighthReport), []);
  t.deepEqual(createPreset('llumnix-artifact').onReport(onEighthReport), [{ from: 0, to: 1 }]);
  const candidates = [running(1, { length_tokens: 50 }), running(2, { length_tokens: 20 }), running(3, { length_tokens: 80, arrival_s: 2 })];
  t.is(createPreset('llumnix').selectRequest(candidates), 2, 'SR: shortest');
  t.is(createPreset('llumnix-artifact').selectRequest(candidates), 3, 'LCFS: last admitted');
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

// Mutations: the "all three or none" rule for pairing/selector/trigger removed or its message
// emptied; a scheduler built without migration parts that still migrates.
test('migration needs pairing, selector and trigger together; each missing one is named', (t) => {
  const error = t.throws(() => createScheduler({ dispatch: { kind: 'load' }, pairing: { kind: 'defrag' } }));
  t.regex(error?.message ?? '', /Expected scheduler\.selector to be set when pairing is set, received undefined/);
  t.regex(error?.message ?? '', /scheduler\.trigger to be set when pairing is set/);
  const two = t.throws(() => createScheduler({ dispatch: { kind: 'load' }, selector: { kind: 'SR' }, trigger: { kind: 'every-reports' } }));
  t.regex(two?.message ?? '', /^Expected scheduler\.pairing to be set when selector and trigger are set, received undefined$/);
  t.notRegex(two?.message ?? '', /scheduler\.selector/);
  const none = createScheduler({ dispatch: { kind: 'load' } });
  t.is(none.migration, undefined);
  t.deepEqual(none.onReport(view(cluster, { reports_total: 8 })), []);
});

test('scaling is optional: without it a tick decides nothing; with it the tick asks the policy', (t) => {
  const overloaded = [busy(0, 400, 765)];
  t.deepEqual(createScheduler({ dispatch: { kind: 'load' } }).onScalingTick(view(overloaded)), []);
  const scaling = createScheduler({ dispatch: { kind: 'load' }, scaling: { kind: 'max_load' } });
  t.is(scaling.scaling?.name, 'scaling:max_load');
  t.deepEqual(scaling.onScalingTick(view(overloaded)), [{ kind: 'scale-up', n: 1 }]);
});
