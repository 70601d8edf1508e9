import test from 'ava';
import { activeOnly, loadDispatch, makeDispatchPolicy } from '../../policies/index.ts';
import { dispatchFreeness } from '../../policies/load/freeness.ts';
import { DEFAULT_LOAD_OPTIONS } from '../../policies/load/options.ts';
import type { ClusterView, InstanceReport, Priority } from '../../policies/index.ts';
import { agreesThroughChangeFeed, agreesThroughChurn, generator } from './change-feed.ts';
import { busy, report, request } from './helpers.ts';

/** The framework's answer, scoring every instance afresh (what the index must reproduce). */
const reference = makeDispatchPolicy('load', [activeOnly], (r, candidates) => {
  if (candidates.some((c) => !c.report.reported)) return candidates.map((c) => -c.dispatched);
  return candidates.map((c) => dispatchFreeness('load', c.report, r.priority, DEFAULT_LOAD_OPTIONS));
});

function randomReport(id: number, next: () => number): InstanceReport {
  const roll = next();
  const state = roll < 0.08 ? 'terminating' : roll < 0.14 ? 'starting' : 'active';
  // Few distinct loads, so score ties (and dispatched-count ties) are common.
  const running = Math.floor(next() * 4);
  return busy(id, running, running * 40, { state, reported: next() > 0.002, waiting: next() < 0.2 ? 1 : 0, all_waiting_blocks: 10, high_priority: next() < 0.1 ? 1 : 0 });
}

test('load dispatch with its score index picks what a fresh scan picks, through report changes, dispatches, state changes and removals', (t) => {
  for (const seed of [1, 2, 3]) {
    // Ports publish a new report object on every change; a few change between arrivals.
    const fromIndex = agreesThroughChurn(t, {
      seed, policy: loadDispatch(), reference, instances: 40, unreportedEvery: 7, maxChanges: 5, joinChance: 0.02, joinState: () => 'starting',
      randomReport, arrival: (round, next) => request({ id: round, priority: next() < 0.2 ? 'high' : 'normal' }),
    });
    t.true(fromIndex > 100, `${fromIndex} arrivals with every active instance reported`);
  }
});

test('load dispatch rejects with the framework reasons when no instance is active', (t) => {
  const policy = loadDispatch();
  const view: ClusterView = { now_s: 0, instances: [report(0, { state: 'starting' }), report(1, { state: 'terminating' })], dispatched: [0, 0], reports_total: 0 };
  const verdict = policy.choose(request(), view);
  t.false(verdict.ok);
  t.deepEqual(verdict, reference.choose(request(), view));
});

test('load dispatch with its score index follows reports rewritten in place with a new version (the simulator)', (t) => {
  for (const seed of [4, 5, 6]) {
    const next = generator(seed);
    const policy = loadDispatch();
    // One mutable object per instance for the whole run, as SimReport.
    const instances = Array.from({ length: 40 }, (_, id) => ({ ...report(id, { reported: id % 7 !== 0 }), version: 0 }));
    const dispatched = instances.map(() => 0);
    for (let round = 0; round < 600; round++) {
      const changes = Math.floor(next() * 5);
      for (let k = 0; k < changes; k++) {
        const target = instances[Math.floor(next() * instances.length)] as (typeof instances)[number];
        Object.assign(target, randomReport(target.id, next), { version: target.version + 1 });
      }
      const view: ClusterView = { now_s: round, instances, dispatched, reports_total: round };
      const priority: Priority = next() < 0.2 ? 'high' : 'normal';
      const arriving = request({ id: round, priority });
      const got = policy.choose(arriving, view);
      // The reference sees copies, so nothing it does can depend on object identity.
      const want = reference.choose(arriving, { ...view, instances: instances.map((r) => ({ ...r })) });
      t.deepEqual(got, want, `seed ${seed}, round ${round}`);
      if (got.ok) {
        const slot = instances.findIndex((r) => r.id === got.value);
        dispatched[slot] = (dispatched[slot] ?? 0) + 1;
      }
    }
  }
});

test('load dispatch with its score index follows a change feed (the simulator), and scans when the feed cannot say', (t) => {
  for (const seed of [7, 8, 9]) {
    agreesThroughChangeFeed(t, {
      seed, policy: loadDispatch(), reference, instances: 40, unreportedEvery: 7, maxChanges: 5, randomReport,
      arrival: (round, next) => request({ id: round, priority: next() < 0.2 ? 'high' : 'normal' }),
    });
  }
});

test('load dispatch with a change feed goes wrong if a change is left out of the feed (the test above can fail)', (t) => {
  const policy = loadDispatch();
  const instances = [0, 1].map((id) => ({ ...report(id), version: 0 }));
  const changes = { total: 0, slots: new Int32Array(8), layout: 0 };
  const view = (): ClusterView => ({ now_s: 0, instances, dispatched: [0, 0], reports_total: 0, changes });
  const first = policy.choose(request(), view());
  t.true(first.ok);
  // Load the chosen instance heavily without telling the feed: the index keeps its old answer.
  const chosen = instances.find((r) => first.ok && r.id === first.value) as (typeof instances)[number];
  Object.assign(chosen, busy(chosen.id, 3, 120), { version: chosen.version + 1 });
  t.deepEqual(policy.choose(request(), view()), first);
  t.notDeepEqual(reference.choose(request(), view()), first);
});
