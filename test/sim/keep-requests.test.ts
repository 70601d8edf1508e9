import test from 'ava';
import { findPreset } from '../../artifact/presets.ts';
import { summarize } from '../../metrics/index.ts';
import { Band, parseRunConfig, type RunConfigInput, Simulation, simulate } from '../../sim/index.ts';

const raw = findPreset('llumnix-fig11/ShareGPT/llumnix') as RunConfigInput;
const config = parseRunConfig({ ...raw, workload: { ...raw.workload, num_requests: 400 } } as RunConfigInput);

test('keepRequests: false drops finished requests but gives the same records and summary', (t) => {
  const kept = simulate(config);
  const flat = simulate(config, { keepRequests: false });
  t.is(kept.requests.length, 400);
  t.is(flat.requests.length, 0);
  t.deepEqual([...flat.records.requests], [...kept.records.requests]);
  t.is(flat.records.requests.length, 400);
  t.is(flat.end_s, kept.end_s);
  t.true(flat.end_s > 0);
  t.deepEqual(summarize(flat.records).summary, summarize(kept.records).summary);
});

test('atEach with consume clears each slot once its event ran, and runs every event', (t) => {
  const sim = new Simulation(1);
  const items = [{ t: 1 }, { t: 2 }, { t: 3 }];
  const seen: number[] = [];
  sim.atEach(items, (x) => x.t, Band.arrival, (x) => seen.push(x.t), { consume: true });
  sim.run({ until_s: 2 });
  t.deepEqual(seen, [1, 2]);
  t.deepEqual(items.map((x) => x?.t), [undefined, undefined, 3]);
  sim.run();
  t.deepEqual(seen, [1, 2, 3]);
});
