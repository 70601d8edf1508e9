// `fleetlab run`'s vLLM flags and run names: what each flag changes in the config, the errors
// that name a flag, and names that carry the values a run changed.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import test from 'ava';
import { loadRunConfig } from '../../cli/load-config.ts';
import { derivedRunName } from '../../cli/run-name.ts';
import { applyVllmFlags, checkDatasetPath } from '../../cli/vllm-flags.ts';

const preset = 'llumnix-fig11/ShareGPT/llumnix';
const load = (flags: Parameters<typeof applyVllmFlags>[1], set: string[] = [], seed?: number) =>
  loadRunConfig({ preset, set, seed, adjust: (raw) => applyVllmFlags(raw, flags) }).config;

test('--request-rate and --burstiness are Poisson or Gamma arrivals; inf sends everything at once', (t) => {
  t.deepEqual(load({ requestRate: '8' }).workload.arrival, { kind: 'poisson', rate_per_s: 8 });
  t.deepEqual(load({ requestRate: '8', burstiness: 0.5 }).workload.arrival, { kind: 'gamma', rate_per_s: 8, burstiness: 0.5 });
  // --burstiness alone keeps the preset's rate (7.5 for ShareGPT).
  t.deepEqual(load({ burstiness: 2 }).workload.arrival, { kind: 'gamma', rate_per_s: 7.5, burstiness: 2 });
  t.deepEqual(load({ requestRate: 'inf' }).workload.arrival, { kind: 'burst' });
  t.throws(() => load({ requestRate: 'fast' }), { message: /Expected --request-rate to be requests per second > 0, or inf.*received "fast"/ });
  t.throws(() => load({ requestRate: '-1' }), { message: /--request-rate/ });
});

test('--num-prompts, --max-concurrency and the metric flags land in the config; --set still wins', (t) => {
  const config = load({ numPrompts: 50, maxConcurrency: 4, percentileMetrics: 'ttft,itl', metricPercentiles: '50,99.9', goodput: ['ttft:500', 'e2el:2000'] });
  t.is(config.workload.num_requests, 50);
  t.is(config.workload.max_concurrency, 4);
  t.deepEqual(config.metrics.vllm_bench, { percentile_metrics: ['ttft', 'itl'], metric_percentiles: [50, 99.9], goodput: { ttft: 500, e2el: 2000 } });
  t.is(load({ numPrompts: 50 }, ['workload.num_requests=60']).workload.num_requests, 60);
  t.throws(() => load({ goodput: ['ttft=500'] }), { message: /Expected --goodput to be KEY:MILLISECONDS.*received "ttft=500"/ });
  t.throws(() => load({ percentileMetrics: 'ttft,foo' }), { message: /metrics\.vllm_bench\.percentile_metrics\[1\]/ });
});

test('--dataset-name maps onto the trace readers; other vLLM datasets are refused by name', (t) => {
  t.deepEqual(load({ datasetName: 'sharegpt' }).workload.lengths, { paired: { trace: 'builtin:sharegpt', order: 'sample', use_trace_models: false } });
  // A file goes through vLLM's own samplers (traces/datasets): ShareGPT's validity filter and seeded
  // shuffle, BurstGPT's GPT-4 rows, random's integer-uniform lengths.
  const own = applyVllmFlags({ workload: {} }, { datasetName: 'sharegpt', datasetPath: 'ShareGPT_V3.json' }).workload as Record<string, unknown>;
  t.deepEqual(own.lengths, { dataset: { name: 'sharegpt', path: 'ShareGPT_V3.json' } });
  t.deepEqual(load({ datasetName: 'sharegpt', datasetPath: 'ShareGPT_V3.json' }).workload.lengths.dataset, { name: 'sharegpt', path: 'ShareGPT_V3.json', chars_per_token: 4, filter: true });
  const burst = applyVllmFlags({ workload: {} }, { datasetName: 'burstgpt', datasetPath: 'BurstGPT.csv' }).workload as Record<string, unknown>;
  t.deepEqual(burst.lengths, { dataset: { name: 'burstgpt', path: 'BurstGPT.csv' } });
  t.deepEqual(load({ datasetName: 'burstgpt', datasetPath: 'BurstGPT.csv' }).workload.lengths.dataset, { name: 'burstgpt', path: 'BurstGPT.csv', models: ['GPT-4'] });
  const fixed = load({ datasetName: 'random', randomInputLen: 100, randomOutputLen: 20 }).workload.lengths.dataset;
  t.deepEqual(fixed, { name: 'random', input_len: 100, output_len: 20, range_ratio: 0, prefix_len: 0 });
  const ranged = load({ datasetName: 'random', randomInputLen: 100, randomRangeRatio: 0.5 }).workload.lengths.dataset;
  t.deepEqual(ranged, { name: 'random', input_len: 100, output_len: 128, range_ratio: 0.5, prefix_len: 0 });
  t.throws(() => load({ datasetName: 'random', randomRangeRatio: 1 }), { message: /Expected --random-range-ratio to be a number in \[0, 1\)/ });
  // sonnet and custom go through the vLLM dataset readers (traces/datasets), and the config they make is valid.
  t.deepEqual(load({ datasetName: 'sonnet' }).workload.lengths.dataset, { name: 'sonnet', input_len: 550, output_len: 150, prefix_len: 200 });
  t.like(load({ datasetName: 'custom', datasetPath: 'prompts.jsonl' }).workload.lengths.dataset, { name: 'custom', path: 'prompts.jsonl' });
  t.throws(() => load({ datasetName: 'custom' }), { message: /Expected --dataset-path to be a vLLM custom JSONL/ });
  t.throws(() => load({ datasetName: 'hf' }), { message: /Expected --dataset-name to be one of sharegpt \| burstgpt \| random \| sonnet \| custom.*received "hf"/ });
  t.throws(() => load({ datasetName: 'burstgpt' }), { message: /Expected --dataset-path to be the BurstGPT CSV/ });
  t.throws(() => load({ datasetPath: 'x.json' }), { message: /Expected --dataset-path to be with --dataset-name/ });
});

test("each dataset's own flags (vLLM's names) reach its sampler, and need that dataset", (t) => {
  t.like(load({ datasetName: 'random', randomPrefixLen: 64 }).workload.lengths.dataset, { name: 'random', prefix_len: 64 });
  t.like(load({ datasetName: 'sharegpt', datasetPath: 'S.json', sharegptOutputLen: 100 }).workload.lengths.dataset, { name: 'sharegpt', path: 'S.json', output_len: 100 });
  t.like(load({ datasetName: 'sharegpt', sharegptOutputLen: 100 }).workload.lengths.dataset, { name: 'sharegpt', path: 'builtin:sharegpt', output_len: 100 });
  t.deepEqual(load({ datasetName: 'sonnet', sonnetInputLen: 300, sonnetOutputLen: 20, sonnetPrefixLen: 50 }).workload.lengths.dataset, { name: 'sonnet', input_len: 300, output_len: 20, prefix_len: 50 });
  // vLLM's sonnet command names its sonnet.txt: an existing file is accepted (fleetlab needs only lengths).
  const here = new URL(import.meta.url).pathname;
  t.is(load({ datasetName: 'sonnet', datasetPath: here }).workload.lengths.dataset?.name, 'sonnet');
  t.throws(() => load({ datasetName: 'sonnet', datasetPath: 'no-such-sonnet.txt' }), { message: /Expected --dataset-path to be an existing file.*received "no-such-sonnet\.txt"/ });
  t.throws(() => load({ datasetName: 'sharegpt', randomPrefixLen: 8 }), { message: /Expected --random-input-len\/--random-output-len\/--random-range-ratio\/--random-prefix-len to be with --dataset-name random, received "--dataset-name sharegpt"/ });
  t.throws(() => load({ sonnetInputLen: 300 }), { message: /--sonnet-input-len.*with --dataset-name sonnet.*received "no --dataset-name"/ });
  t.throws(() => load({ datasetName: 'random', sharegptOutputLen: 10 }), { message: /--sharegpt-output-len to be with --dataset-name sharegpt/ });
});

test('a run name carries the values it changed: the preset rate is replaced, other changes appended', (t) => {
  t.is(load({ requestRate: '8' }).name, 'fig11-ShareGPT-llumnix-8');
  t.is(load({}, ['workload.arrival.rate_per_s=8'], 1).name, 'fig11-ShareGPT-llumnix-8-seed=1');
  t.is(load({ requestRate: 'inf', numPrompts: 100 }).name, 'fig11-ShareGPT-llumnix-num_requests=100-arrival.kind=burst');
  // Unchanged values (the preset's own seed) and what is only measured (metrics.*) leave the name alone.
  t.is(load({ metricPercentiles: '50' }, [], 0).name, 'fig11-ShareGPT-llumnix-7.5');
  t.is(load({ requestRate: '8' }, ['name=mine']).name, 'mine');
});

test('derivedRunName: folder-safe values, long change lists become a hash', (t) => {
  t.is(derivedRunName('run', { a: { path: 'x' } }, { a: { path: 'data/traces/t.json' } }), 'run-path=t.json');
  const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`field_${i}`, i + 100]));
  const name = derivedRunName('run', {}, many);
  t.regex(name, /^run-changed-[0-9a-f]{8}$/);
  t.is(derivedRunName('run', {}, many), name, 'deterministic');
});

test('--dataset-path is typed from the working directory: it must exist there, and with --config it still names that file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetlab-flags-'));
  mkdirSync(join(dir, 'configs'));
  writeFileSync(join(dir, 'configs', 'c.yaml'), `preset: ${preset}\n`);
  writeFileSync(join(dir, 'S.json'), '[]');
  const typed = relative(process.cwd(), join(dir, 'S.json'));
  const config = loadRunConfig({
    config: join(dir, 'configs', 'c.yaml'),
    adjust: (raw) => applyVllmFlags(raw, { datasetName: 'sharegpt', datasetPath: typed }, join(dir, 'configs')),
  }).config;
  // The config's relative paths resolve from its folder (configs/): the flag's file is ../S.json from there.
  t.is(config.workload.lengths.dataset?.name === 'sharegpt' ? config.workload.lengths.dataset.path : undefined, join('..', 'S.json'));
  t.notThrows(() => checkDatasetPath({ datasetName: 'sharegpt', datasetPath: typed }));
  t.throws(() => checkDatasetPath({ datasetName: 'burstgpt', datasetPath: 'no-such-burst.csv' }), {
    message: /^Expected --dataset-path to be an existing burstgpt file \(relative to the working directory .*\), received "no-such-burst\.csv"$/,
  });
  // The shipped lengths and datasets that read no file are not checked here.
  t.notThrows(() => checkDatasetPath({ datasetName: 'sharegpt', datasetPath: 'builtin:sharegpt' }));
  t.notThrows(() => checkDatasetPath({ datasetName: 'random' }));
});
