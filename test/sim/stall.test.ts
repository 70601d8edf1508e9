import test from 'ava';
import { findPreset } from '../../artifact/presets.ts';
import { parseRunConfig, simulate } from '../../sim/index.ts';

// A stall needs a bug: this test makes one. Once instance 0 holds a request, its engine stops
// scheduling (its schedule() answers nothing to do), so its requests wait for ever.
// The run must say so, naming the waiting requests and their instance, instead of sampling on
// towards time Infinity.
test('a run whose instance never steps again fails with a stall naming the waiting requests', (t) => {
  const preset = findPreset('llumnix-fig11/M-M/round-robin') as Record<string, any>;
  const config = parseRunConfig({ ...preset, cluster: { ...preset['cluster'], instances: 2 }, workload: { ...preset['workload'], num_requests: 50 } });
  let frozen = false;
  const error = t.throws(() =>
    simulate(config, {
      afterEvent: (cluster) => {
        const instance = cluster.instances[0];
        if (frozen || instance === undefined || instance.engine.waiting.length === 0) return;
        instance.engine.schedule = () => undefined;
        frozen = true;
      },
    }),
  );
  t.true(frozen);
  t.regex(error?.message ?? '', /^simulation stalled at \d+\.\d{3} s: \d+ request\(s\) in flight and no step, arrival, migration or control event left to move them; request \d+ \w+ with \d+ tokens on instance 0 \(active; \d+ running, \d+ waiting, \d+ free blocks\)/);
});

test('a run that ends normally is not taken for a stall (the sampler stops with the last request)', (t) => {
  const preset = findPreset('llumnix-fig11/M-M/round-robin') as Record<string, any>;
  const config = parseRunConfig({ ...preset, cluster: { ...preset['cluster'], instances: 2 }, workload: { ...preset['workload'], num_requests: 50 } });
  t.notThrows(() => simulate(config));
});
