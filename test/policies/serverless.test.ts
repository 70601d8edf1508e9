import test from 'ava';
import { desiredInstances, instanceCapacity, leastLoadedInstance, unloadAfterKeepAlive } from '../../policies/index.ts';

const rule = { metric: 'concurrency', target: 4, min_instances: 1, max_instances: 3, keep_alive: 10 };

test('scaling: ceil(in-flight / target) clamped to [min, max]; capacity is the target under concurrency', (t) => {
  t.is(desiredInstances(0, rule), 1);
  t.is(desiredInstances(5, rule), 2);
  t.is(desiredInstances(100, rule), 3);
  t.is(instanceCapacity(rule), 4);
  t.is(instanceCapacity({ ...rule, metric: 'rps' }), 1);
});

test('routing: the ready instance with room and the fewest requests, ties to the lowest id', (t) => {
  const c = (id: number, load: number, ready = true) => ({ id, load, ready });
  t.is(leastLoadedInstance([c(3, 1), c(1, 2), c(2, 1)], 4), 2);
  t.is(leastLoadedInstance([c(0, 0, false), c(1, 3)], 4), 1); // not ready: skipped
  t.is(leastLoadedInstance([c(0, 4), c(1, 5)], 4), undefined); // full: the request queues
  t.is(leastLoadedInstance([], 4), undefined);
});

test('keep-alive: unload only a still idle, not re-readied instance of an over-provisioned model', (t) => {
  const base = { ready: true, load: 0, ready_s: 5, idle_since_s: 10, desired: 1, current: 2 };
  t.true(unloadAfterKeepAlive(base));
  t.false(unloadAfterKeepAlive({ ...base, load: 1 }));
  t.false(unloadAfterKeepAlive({ ...base, ready: false }));
  t.false(unloadAfterKeepAlive({ ...base, ready_s: 12 })); // re-readied after it went idle
  t.false(unloadAfterKeepAlive({ ...base, desired: 2 })); // the model needs it
});
