import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { summarize, writeCsv } from '../../metrics/index.ts';
import { parseRunConfig, simulate } from '../../sim/index.ts';
import { tempDir, tinyInput } from './helpers.ts';

// Issue 8 §2: valid inputs exhausted the heap (instance samples over a huge makespan or at a
// tiny interval), and sizes were not bounded before allocation.

test('sample_interval_s 1e-5 stays within the sample budget and says which interval it used', (t) => {
  const config = parseRunConfig({ ...tinyInput(), metrics: { sample_interval_s: 1e-5, max_sample_rows: 2000 } });
  const result = simulate(config);
  t.true(result.samples.length <= 2000, `${result.samples.length} rows`);
  t.true(result.samples.length > 500, 'still a useful number of samples');
  const { summary } = summarize(result.records);
  t.is(summary.requests, 20);
  t.is(summary.instance_samples?.requested_interval_s, 1e-5);
  t.true((summary.instance_samples?.interval_s ?? 0) > 1e-5);
  // Samples stay on one even grid from t = 0.
  const times = [...new Set(result.samples.map((s) => s.time_s))];
  const step = summary.instance_samples?.interval_s ?? 0;
  t.true(times.every((x) => Math.abs(x / step - Math.round(x / step)) < 1e-6), 'every tick on the coarsened grid');
});

test('a low arrival rate (a makespan of hours) keeps instance samples bounded', (t) => {
  const config = parseRunConfig({
    ...tinyInput(),
    workload: { ...tinyInput().workload, arrival: { kind: 'poisson', rate_per_s: 0.005 } },
    metrics: { max_sample_rows: 1000 },
  });
  const result = simulate(config);
  t.true(result.end_s > 2000, `makespan ${result.end_s} s`);
  t.true(result.samples.length <= 1000);
  t.is(summarize(result.records).summary.requests, 20);
});

test('without pressure the sampling is unchanged (every requested tick, no instance_samples note)', (t) => {
  const result = simulate(parseRunConfig(tinyInput()));
  const ticks = [...new Set(result.samples.map((s) => s.time_s))];
  t.is(ticks[0], 0);
  t.true(ticks.every((x, i) => Math.abs(x - i) < 1e-9), 'one tick per requested second');
  t.true(ticks.length >= Math.floor(result.end_s) + 1);
  t.is(summarize(result.records).summary.instance_samples, undefined);
});

test('num_requests 1e8 / 1e12 and instances 1e6 are refused before allocation, with the bound and how to raise it', (t) => {
  for (const n of [1e8, 1e12]) {
    t.throws(() => parseRunConfig({ ...tinyInput(), workload: { ...tinyInput().workload, num_requests: n } }), {
      message: /Expected workload\.num_requests to be at most 5000000 requests \(a bound on memory; set FLEETLAB_MAX_REQUESTS to raise it\)/,
    });
  }
  t.throws(() => parseRunConfig({ ...tinyInput(), cluster: { instances: 1e6 } }), { message: /cluster\.instances .*at most 4096 instances.*FLEETLAB_MAX_INSTANCES/ });
  process.env.FLEETLAB_MAX_REQUESTS = '10';
  try {
    t.throws(() => parseRunConfig(tinyInput()), { message: /at most 10 requests/ });
  } finally {
    delete process.env.FLEETLAB_MAX_REQUESTS;
  }
});

test('CSVs are written in batches with a header even when empty', (t) => {
  const dir = tempDir();
  const file = join(dir, 'x.csv');
  function* rows(): Generator<Record<string, unknown>> {
    for (let i = 0; i < 10_000; i++) yield { a: i, b: `r${i}` };
  }
  const digest = writeCsv(file, ['a', 'b'], rows());
  const text = readFileSync(file, 'utf8');
  t.is(text.split('\n').length, 10_002);
  t.is(digest.bytes, Buffer.byteLength(text));
  writeCsv(file, ['a', 'b'], []);
  t.is(readFileSync(file, 'utf8'), 'a,b\n');
});

test('a trace whose rows span 35 days keeps instance samples bounded', (t) => {
  const dir = tempDir();
  const day = 86_400;
  writeFileSync(join(dir, 'long.csv'), `arrived_at,num_prefill_tokens,num_decode_tokens\n0,10,10\n${17 * day},10,10\n${35 * day},10,10\n`);
  const config = parseRunConfig({
    ...tinyInput(),
    workload: {
      num_requests: 3,
      arrival: { kind: 'replay', trace: { format: 'vidur', path: 'long.csv' } },
      lengths: { paired: { trace: { format: 'vidur', path: 'long.csv' }, order: 'sequential' } },
    },
    metrics: { max_sample_rows: 1000 },
  });
  const result = simulate(config, { baseDir: dir });
  t.true(result.end_s > 35 * day);
  t.true(result.samples.length <= 1000);
  t.true(result.events < 10_000, `${result.events} events`);
  t.true((summarize(result.records).summary.instance_samples?.interval_s ?? 0) >= 4096);
});
