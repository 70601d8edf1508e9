import test from 'ava';
import { activeOnly, createDispatchPolicy, makeDispatchPolicy } from '../../policies/index.ts';
import type { ClusterView, DispatchPolicy, InstanceReport, InstanceState } from '../../policies/index.ts';
import { ActiveSlots } from '../../policies/dispatch/active-slots.ts';
import { countingScans, generator } from './change-feed.ts';
import { report, request } from './helpers.ts';

// `random` answers from its index whatever the instances' states: the k-th active slot in slot
// order, k = ⌊draw × active⌋, must be exactly the framework's feasible[k] (candidates in slot
// order, filtered to the active ones), from the same one draw per arrival.

/** The framework's random over its own copy of the stream: any extra or missing draw shifts every later choice. */
function frameworkRandom(rng: () => number): DispatchPolicy {
  return makeDispatchPolicy('random', [activeOnly], (_r, candidates) => {
    const pick = Math.floor(rng() * candidates.length);
    return candidates.map((_c, i) => (i === pick ? 1 : 0));
  });
}

/** Many instances starting or draining (a fleet scaling out and in), so the k-th active slot is rarely slot k. */
function scalingState(next: () => number): InstanceState {
  const roll = next();
  return roll < 0.25 ? 'starting' : roll < 0.45 ? 'terminating' : 'active';
}

/** `random` wrapped so that each framework pass over the instances (`candidatesOf` maps them) is counted. */
function counted(seed: number): { policy: DispatchPolicy; scans: () => number } {
  const policy = createDispatchPolicy({ kind: 'random' }, { rng: generator(seed) });
  let scans = 0;
  return {
    policy: { ...policy, choose: (r, view) => policy.choose(r, { ...view, instances: countingScans(view.instances, () => scans++) }) },
    scans: () => scans,
  };
}

test('ActiveSlots: the k-th active slot equals a plain list of the marked slots, through random marks and resets', (t) => {
  const next = generator(11);
  for (const slots of [0, 1, 2, 3, 7, 8, 9, 64, 100]) {
    const index = new ActiveSlots(slots);
    const marked = new Array<boolean>(slots).fill(false);
    for (let round = 0; round < 400; round++) {
      if (slots > 0) {
        const slot = Math.floor(next() * slots);
        index.add(slot, marked[slot] === true ? -1 : 1);
        marked[slot] = !marked[slot];
      }
      const expected = marked.flatMap((on, slot) => (on ? [slot] : []));
      t.is(index.count, expected.length);
      if (round % 5 === 0) t.deepEqual(expected.map((_s, k) => index.at(k)), expected, `${slots} slots, round ${round}`);
    }
    t.throws(() => index.at(index.count), { instanceOf: RangeError });
    index.reset(slots);
    t.is(index.count, 0);
  }
});

test('random from its index picks what the framework picks while instances start and drain, join (anywhere in slot order) and leave: no view scanned', (t) => {
  for (const seed of [1, 2, 3, 4]) {
    const next = generator(seed);
    const reference = frameworkRandom(generator(seed + 100));
    const random = counted(seed + 100);
    let instances = Array.from({ length: 20 }, (_, id) => report(id, { state: scalingState(next) }));
    let dispatched = instances.map(() => 0);
    let nextId = instances.length;
    let accepted = 0;
    for (let round = 0; round < 800; round++) {
      // New report objects, as the backend's ports publish them (no change feed).
      const changes = Math.floor(next() * 4);
      for (let k = 0; k < changes; k++) {
        const slot = Math.floor(next() * instances.length);
        instances[slot] = report((instances[slot] as InstanceReport).id, { state: scalingState(next), waiting: Math.floor(next() * 3) });
      }
      if (next() < 0.04 && instances.length > 1) {
        const slot = Math.floor(next() * instances.length);
        instances = instances.filter((_, i) => i !== slot);
        dispatched = dispatched.filter((_, i) => i !== slot);
      }
      if (next() < 0.04) {
        // Slot order need not be id order: the framework's candidates are in slot order.
        const at = Math.floor(next() * (instances.length + 1));
        instances = [...instances.slice(0, at), report(nextId++, { state: next() < 0.5 ? 'starting' : 'active', reported: false }), ...instances.slice(at)];
        dispatched = [...dispatched.slice(0, at), 0, ...dispatched.slice(at)];
      }
      const view: ClusterView = { now_s: round, instances, dispatched, reports_total: round };
      const got = random.policy.choose(request({ id: round }), view);
      t.deepEqual(got, reference.choose(request({ id: round }), view), `seed ${seed}, round ${round}`);
      if (got.ok) {
        accepted++;
        const slot = instances.findIndex((r) => r.id === got.value);
        dispatched = dispatched.map((d, i) => (i === slot ? d + 1 : d));
      }
    }
    t.true(accepted > 700, `${accepted} of 800 accepted`);
    // Only rejections (no active instance) go through the framework.
    t.is(random.scans(), 800 - accepted, `seed ${seed}: framework passes`);
  }
});

test('random from its index follows a change feed through state changes, joins and removals (layout bumps): the framework\'s choices, no view scanned', (t) => {
  for (const seed of [5, 6, 7, 8]) {
    const next = generator(seed);
    const reference = frameworkRandom(generator(seed + 100));
    const random = counted(seed + 100);
    // One mutable report per instance, rewritten in place with a new version (the simulator's).
    const instances = Array.from({ length: 24 }, (_, id) => ({ ...report(id, { state: scalingState(next) }), version: 0 }));
    const dispatched = instances.map(() => 0);
    let nextId = instances.length;
    // A 6-entry ring: a reader more than 6 changes behind must scan.
    const changes = { total: 0, slots: new Int32Array(6), layout: 0 };
    const changed = (slot: number): void => {
      changes.slots[changes.total % changes.slots.length] = slot;
      changes.total++;
    };
    let accepted = 0;
    // The last dispatch's slot, when its change is recorded among the next round's (any order is a feed).
    let pending: number | undefined;
    for (let round = 0; round < 1000; round++) {
      const n = Math.floor(next() * 4) + (next() < 0.05 ? 8 : 0);
      const pendingAt = Math.floor(next() * (n + 1));
      for (let k = 0; k <= n; k++) {
        if (k === pendingAt && pending !== undefined) {
          changed(pending);
          pending = undefined;
        }
        if (k === n) break;
        const slot = Math.floor(next() * instances.length);
        const target = instances[slot] as (typeof instances)[number];
        // Mostly state changes (scale-out warm-up ends, scale-in victims drain), some load changes.
        Object.assign(target, { state: next() < 0.7 ? scalingState(next) : target.state, waiting: Math.floor(next() * 3), version: target.version + 1 });
        changed(slot);
      }
      if (next() < 0.03 && instances.length > 1) {
        const slot = Math.floor(next() * instances.length);
        instances.splice(slot, 1);
        dispatched.splice(slot, 1);
        changes.layout++;
      }
      if (next() < 0.03) {
        instances.push({ ...report(nextId++, { state: 'starting', reported: false }), version: 0 });
        dispatched.push(0);
        changes.layout++;
      }
      if (next() < 0.03) {
        // One leaves as another joins: the same length, every later slot shifted, only the layout says so.
        instances.splice(Math.floor(next() * instances.length), 1);
        instances.push({ ...report(nextId++, { state: next() < 0.5 ? 'starting' : 'active', reported: false }), version: 0 });
        dispatched.splice(0, dispatched.length, ...instances.map(() => 0));
        changes.layout++;
      }
      const view: ClusterView = { now_s: round, instances, dispatched, reports_total: round, changes };
      const got = random.policy.choose(request({ id: round }), view);
      // The reference sees copies, so nothing it does can depend on object identity.
      t.deepEqual(got, reference.choose(request({ id: round }), { ...view, instances: instances.map((r) => ({ ...r })) }), `seed ${seed}, round ${round}`);
      if (got.ok) {
        accepted++;
        const slot = instances.findIndex((r) => r.id === got.value);
        dispatched[slot] = (dispatched[slot] ?? 0) + 1;
        if (next() < 0.5) changed(slot);
        else pending = slot;
      }
    }
    t.true(accepted > 900, `${accepted} of 1000 accepted`);
    t.is(random.scans(), 1000 - accepted, `seed ${seed}: framework passes`);
  }
});

test('random with a change feed goes wrong if a state change is left out of the feed (the test above can fail)', (t) => {
  const policy = createDispatchPolicy({ kind: 'random' }, { rng: () => 0.99 });
  const instances = [0, 1, 2, 3].map((id) => ({ ...report(id, { state: id === 3 ? 'starting' : 'active' }), version: 0 }));
  const changes = { total: 0, slots: new Int32Array(8), layout: 0 };
  const view = (): ClusterView => ({ now_s: 0, instances, dispatched: [0, 0, 0, 0], reports_total: 0, changes });
  t.deepEqual(policy.choose(request(), view()), { ok: true, policy: 'random', value: 2 });
  // Instance 3 becomes active, but the feed is not told: the index still sees 3 active instances.
  Object.assign(instances[3] as (typeof instances)[number], { state: 'active', version: 1 });
  t.deepEqual(policy.choose(request(), view()), { ok: true, policy: 'random', value: 2 });
  t.deepEqual(frameworkRandom(() => 0.99).choose(request(), view()), { ok: true, policy: 'random', value: 3 });
  // Told, it follows.
  changes.slots[0] = 3;
  changes.total = 1;
  t.deepEqual(policy.choose(request(), view()), { ok: true, policy: 'random', value: 3 });
});

test('random with no active instance rejects with the framework\'s reasons and draws nothing', (t) => {
  let draws = 0;
  const policy = createDispatchPolicy({ kind: 'random' }, { rng: () => (draws++, 0.5) });
  const idle: ClusterView = { now_s: 0, instances: [report(0, { state: 'starting' }), report(1, { state: 'terminating' })], dispatched: [0, 0], reports_total: 0 };
  t.deepEqual(policy.choose(request(), idle), frameworkRandom(() => 0.5).choose(request(), idle));
  t.deepEqual(policy.choose(request(), { ...idle, instances: [], dispatched: [] }), { ok: false, policy: 'random', reasons: ['the cluster has no instances'] });
  t.is(draws, 0);
  // The next arrival with an active instance takes the stream's next draw.
  t.deepEqual(policy.choose(request(), { ...idle, instances: [report(0, { state: 'starting' }), report(1)] }), { ok: true, policy: 'random', value: 1 });
  t.is(draws, 1);
});
