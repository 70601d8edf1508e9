import test from 'ava';
import { activeOnly, createDispatchPolicy, leastRequestsDispatch, makeDispatchPolicy, roundRobinDispatch } from '../../policies/index.ts';
import type { ClusterView, DispatchPolicy, InstanceReport } from '../../policies/index.ts';
import { agreesThroughChangeFeed, agreesThroughChurn, countingIndexAnswers, generator } from './change-feed.ts';
import { busy, report, request } from './helpers.ts';

// round-robin and least-requests answer from a score index (policies/dispatch/score-index.ts);
// each must choose exactly what the framework's fresh scan of every instance chooses.

const references: Record<string, () => DispatchPolicy> = {
  'round-robin': () => makeDispatchPolicy('round-robin', [activeOnly], (_r, candidates) => candidates.map((c) => -c.dispatched)),
  'least-requests': () => makeDispatchPolicy('least-requests', [activeOnly], (_r, candidates) => candidates.map((c) => -(c.report.running + c.report.waiting))),
};
const policies: Record<string, () => DispatchPolicy> = { 'round-robin': roundRobinDispatch, 'least-requests': leastRequestsDispatch };

function randomReport(id: number, next: () => number): InstanceReport {
  const roll = next();
  const state = roll < 0.08 ? 'terminating' : roll < 0.14 ? 'starting' : 'active';
  // Few distinct loads, so score ties (and dispatched-count ties) are common.
  const running = Math.floor(next() * 4);
  return busy(id, running, running * 40, { state, reported: next() > 0.01, waiting: next() < 0.3 ? 1 : 0 });
}

for (const name of Object.keys(policies)) {
  test(`${name} with its score index picks what a fresh scan picks, through new report objects, dispatches, state changes, joins and removals`, (t) => {
    for (const seed of [1, 2, 3]) {
      const fromIndex = agreesThroughChurn(t, {
        seed, policy: (policies[name] as () => DispatchPolicy)(), reference: (references[name] as () => DispatchPolicy)(),
        instances: 30, unreportedEvery: 7, maxChanges: 4, joinChance: 0.03, joinState: (next) => (next() < 0.5 ? 'starting' : 'active'),
        randomReport, arrival: (round) => request({ id: round }),
      });
      t.true(fromIndex > 100, `${fromIndex} arrivals with every active instance reported`);
    }
  });

  test(`${name} with its score index follows a change feed and reports rewritten in place (the simulator)`, (t) => {
    for (const seed of [4, 5, 6]) {
      agreesThroughChangeFeed(t, {
        seed, policy: (policies[name] as () => DispatchPolicy)(), reference: (references[name] as () => DispatchPolicy)(),
        instances: 30, unreportedEvery: 5, maxChanges: 4, randomReport, arrival: (round) => request({ id: round }),
      });
    }
  });

  test(`${name} rejects with the framework's reasons when no instance is active`, (t) => {
    const view: ClusterView = { now_s: 0, instances: [report(0, { state: 'starting' }), report(1, { state: 'terminating' })], dispatched: [0, 0], reports_total: 0 };
    const verdict = (policies[name] as () => DispatchPolicy)().choose(request(), view);
    t.false(verdict.ok);
    t.deepEqual(verdict, (references[name] as () => DispatchPolicy)().choose(request(), view));
  });
}

test('round-robin answers from its index during warm-up too: 0, 1, …, N−1 over unreported instances', (t) => {
  const policy = roundRobinDispatch();
  const instances = Array.from({ length: 5 }, (_, id) => report(id, { reported: false }));
  const dispatched = instances.map(() => 0);
  const order: number[] = [];
  for (let k = 0; k < 7; k++) {
    const got = policy.choose(request({ id: k }), { now_s: k, instances, dispatched, reports_total: 0 });
    if (!got.ok) throw new Error('rejected');
    order.push(got.value);
    dispatched[got.value] = (dispatched[got.value] ?? 0) + 1;
  }
  t.deepEqual(order, [0, 1, 2, 3, 4, 0, 1]);
});

// least-outstanding (ties to the lowest id only, no warm-up) and random (the k-th active
// instance) answer from score indexes too.

const lowestIdWaiting = (): DispatchPolicy =>
  makeDispatchPolicy('least-outstanding', [activeOnly], (_r, candidates) => candidates.map((c) => -c.report.waiting), 'lowest-id');

/** Few distinct queue lengths, so ties (which go to the lowest id, whatever was dispatched) are common. */
function queueReport(id: number, next: () => number): InstanceReport {
  const roll = next();
  const state = roll < 0.08 ? 'terminating' : roll < 0.14 ? 'starting' : 'active';
  return busy(id, Math.floor(next() * 4), 40, { state, reported: next() > 0.05, waiting: Math.floor(next() * 3) });
}

test('least-outstanding with its score index picks what a fresh scan picks (lowest-id ties), unreported instances counted as they stand', (t) => {
  for (const seed of [1, 2, 3]) {
    const counted = countingIndexAnswers(createDispatchPolicy({ kind: 'least-outstanding' }));
    agreesThroughChurn(t, {
      seed, policy: counted.policy, reference: lowestIdWaiting(), instances: 30, unreportedEvery: 7, maxChanges: 4, joinChance: 0.03,
      joinState: (next) => (next() < 0.5 ? 'starting' : 'active'), randomReport: queueReport, arrival: (round) => request({ id: round }),
    });
    t.true(counted.answered() > 500, `${counted.answered()} of 600 answered by the index`);
  }
  for (const seed of [4, 5, 6]) {
    const counted = countingIndexAnswers(createDispatchPolicy({ kind: 'least-outstanding' }));
    agreesThroughChangeFeed(t, {
      seed, policy: counted.policy, reference: lowestIdWaiting(), instances: 30, unreportedEvery: 5, maxChanges: 4, randomReport: queueReport, arrival: (round) => request({ id: round }),
    });
    t.true(counted.answered() > 700, `${counted.answered()} of 800 answered by the index`);
  }
});

test('least-outstanding rejects with the framework reasons when no instance is active', (t) => {
  const view: ClusterView = { now_s: 0, instances: [report(0, { state: 'starting' }), report(1, { state: 'terminating' })], dispatched: [0, 0], reports_total: 0 };
  t.deepEqual(createDispatchPolicy({ kind: 'least-outstanding' }).choose(request(), view), lowestIdWaiting().choose(request(), view));
  t.deepEqual(createDispatchPolicy({ kind: 'least-outstanding' }).choose(request(), { ...view, instances: [], dispatched: [] }), lowestIdWaiting().choose(request(), { ...view, instances: [], dispatched: [] }));
});

/** Mostly active, so that whole rounds with every instance active (the index's case) are common. */
function mostlyActive(id: number, next: () => number): InstanceReport {
  const roll = next();
  return report(id, { state: roll < 0.01 ? 'terminating' : roll < 0.02 ? 'starting' : 'active', waiting: Math.floor(next() * 3) });
}

test('random answers from its index whatever the instances\' states, the framework only rejecting: the same draws, the same choices', (t) => {
  for (const seed of [1, 2, 3]) {
    // Both consume their own copy of one stream: any extra or missing draw shifts every later choice.
    const reference = makeDispatchPolicy('random', [activeOnly], (_r, candidates) => {
      const pick = Math.floor(referenceRng() * candidates.length);
      return candidates.map((_c, i) => (i === pick ? 1 : 0));
    });
    const referenceRng = generator(seed + 100);
    const counted = countingIndexAnswers(createDispatchPolicy({ kind: 'random' }, { rng: generator(seed + 100) }));
    agreesThroughChurn(t, {
      seed, policy: counted.policy, reference, instances: 12, unreportedEvery: 1000, maxChanges: 3, joinChance: 0.02,
      joinState: (next) => (next() < 0.2 ? 'starting' : 'active'), randomReport: mostlyActive, arrival: (round) => request({ id: round }),
    });
    // Every arrival finds an active instance here (random-index.test.ts covers rejections).
    t.is(counted.answered(), 600, 'answered without candidates');
  }
});
