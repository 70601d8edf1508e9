import test from 'ava';
import { benchServe, BenchServeOptionsSchema, sendTimes, type BenchServeOptionsInput } from '../../loadgen/index.ts';
import { startServer } from '../api/helpers.ts';

const options = (url: string, patch: Partial<BenchServeOptionsInput> = {}) =>
  BenchServeOptionsSchema.parse({
    base_url: url,
    model: 'test-model',
    num_prompts: 12,
    random_input_len: 20,
    random_output_len: 8,
    request_rate: 200,
    burstiness: 0.5,
    max_concurrency: 4,
    seed: 1,
    metric_percentiles: [50, 90, 99],
    ...patch,
  });

test('bench serve: counts, token totals, vLLM keys and ordered percentiles', async (t) => {
  const { url, engine } = await startServer(t, { token_delay_ms: 2, max_model_len: 4096 });
  const run = await benchServe(options(url));
  const r = run.result;
  t.true(run.server_tokenizer);
  t.is(r['completed'], 12);
  t.is(r['failed'], 0);
  t.is(r['total_input_tokens'], 12 * 20, 'random prompts fitted to exactly random_input_len tokens through /tokenize');
  t.is(r['total_output_tokens'], 12 * 8);
  t.true(engine.requests.every((q) => q.prompt_token_ids.length === 20 && q.sampling.max_tokens === 8));
  t.true(engine.peak_running <= 4, `max_concurrency 4, engine saw ${engine.peak_running}`);
  for (const key of ['date', 'backend', 'model_id', 'num_prompts', 'request_rate', 'burstiness', 'max_concurrency', 'duration', 'request_throughput', 'output_throughput', 'total_token_throughput']) {
    t.true(key in r, key);
  }
  t.is(r['backend'], 'openai');
  for (const m of ['ttft', 'tpot', 'itl', 'e2el']) {
    const v = (k: string): number => r[`${k}_${m}_ms`] as number;
    t.true(v('mean') > 0, `mean_${m}_ms`);
    t.true(v('std') >= 0);
    t.true(v('p50') <= v('p90') && v('p90') <= v('p99'), `${m} percentiles ordered`);
    t.is(v('median'), v('p50'));
  }
  t.true((r['mean_ttft_ms'] as number) <= (r['mean_e2el_ms'] as number));
  const itls = r['itls'] as number[][];
  t.is(itls.length, 12);
  t.true(itls.every((gaps) => gaps.length === 7), 'one ITL per token after the first');
  t.is(Math.round((r['request_throughput'] as number) * (r['duration'] as number) * 1e9) / 1e9, 12);
  t.deepEqual(r['output_lens'], Array(12).fill(8));
});

test('bench serve: the seed fixes prompts and arrival times; another seed changes them', async (t) => {
  const { url, engine } = await startServer(t, { max_model_len: 4096 });
  await benchServe(options(url, { num_prompts: 4 }));
  await benchServe(options(url, { num_prompts: 4 }));
  await benchServe(options(url, { num_prompts: 4, seed: 2 }));
  const prompts = engine.requests.map((q) => q.prompt_token_ids.join(','));
  t.deepEqual(prompts.slice(0, 4), prompts.slice(4, 8));
  t.notDeepEqual(prompts.slice(0, 4), prompts.slice(8, 12));
  t.deepEqual(sendTimes(50, 5, 1, 3), sendTimes(50, 5, 1, 3));
});

test('arrival times: inf sends all at 0; Poisson and Gamma keep the mean gap 1/rate', (t) => {
  t.deepEqual(sendTimes(5, Infinity, 1, 0), [0, 0, 0, 0, 0]);
  t.is(BenchServeOptionsSchema.parse({ model: 'm' }).request_rate, Infinity, "vLLM's default rate is inf");
  const n = 20_000;
  for (const burstiness of [1, 0.25, 4]) {
    const times = sendTimes(n, 10, burstiness, 7);
    t.is(times[0], 0);
    const meanGap = (times[n - 1] ?? 0) / (n - 1);
    t.true(Math.abs(meanGap - 0.1) < 0.005, `burstiness ${burstiness}: mean gap ${meanGap}`);
    const gaps = times.slice(1).map((x, i) => x - (times[i] ?? 0));
    const cv = Math.sqrt(gaps.reduce((s, g) => s + (g - meanGap) ** 2, 0) / gaps.length) / meanGap;
    t.true(Math.abs(cv - 1 / Math.sqrt(burstiness)) < 0.08, `burstiness ${burstiness}: cv ${cv}`);
  }
});

test('bench serve: failed requests are counted, not measured', async (t) => {
  const { url } = await startServer(t, { max_model_len: 4096 }, { api_key: 'k' });
  const bad = await benchServe(options(url, { num_prompts: 3, api_key: 'wrong' }));
  t.is(bad.result['completed'], 0);
  t.is(bad.result['failed'], 3);
  t.regex((bad.result['errors'] as string[])[0] ?? '', /HTTP 401/);
  const good = await benchServe(options(url, { num_prompts: 3, api_key: 'k' }));
  t.is(good.result['completed'], 3);
});
