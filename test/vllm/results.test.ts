// summary.json's vllm_bench section, the client-side concurrency limit, rejected requests in
// requests.csv, `compare` beside a vLLM result JSON, and merging an empty sweep shard.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { parse } from 'csv-parse/sync';
import { readComparables } from '../../cli/compare-inputs.ts';
import { compareTable, exactStats, summarize, TokenGaps, writeResults } from '../../metrics/index.ts';
import { mergedCsv, mergeSweeps, runSweep } from '../../sweep/index.ts';
import { BenchServeOptionsSchema, vllmResult } from '../../loadgen/index.ts';
import { simulate } from '../../sim/index.ts';
import { tempDir, tinyConfig, tinyInput } from '../hostile/helpers.ts';
import { tinySweep } from '../sweep/helpers.ts';

type Row = Record<string, string>;
const readRows = (dir: string): Row[] => parse(readFileSync(join(dir, 'requests.csv'), 'utf8'), { columns: true }) as Row[];

test('vllm_bench holds vLLM keys computed from the requests (TTFT, TPOT, E2EL, throughputs, goodput)', (t) => {
  const config = tinyConfig({ metrics: { vllm_bench: { metric_percentiles: [50, 90, 99], goodput: { ttft: 30, tpot: 45 } } } } as never);
  const { summary, rows } = summarize(simulate(config).records);
  const b = summary.vllm_bench as Record<string, number>;
  t.is(b.completed, 20);
  t.is(b.failed, 0);
  t.is(b.total_output_tokens, rows.reduce((s, r) => s + r.output_tokens, 0));
  t.is(b.total_input_tokens, rows.reduce((s, r) => s + r.prompt_tokens, 0));
  t.true(Math.abs(b.mean_ttft_ms! - summary.prefill_latency_s.mean * 1e3) < 1e-3);
  t.true(Math.abs(b.median_e2el_ms! - summary.request_latency_s.p50 * 1e3) < 1e-3);
  t.true(Math.abs(b.request_throughput! - 20 / summary.makespan_s) < 1e-5);
  const tpot = exactStats(rows.filter((r) => r.output_tokens > 1).map((r) => r.decode_latency_s * 1e3));
  t.true(Math.abs(b.std_tpot_ms! - tpot.std) < 1e-5);
  for (const m of ['ttft', 'tpot', 'itl', 'e2el']) t.true(b[`p50_${m}_ms`]! <= b[`p90_${m}_ms`]! && b[`p90_${m}_ms`]! <= b[`p99_${m}_ms`]!, m);
  const good = rows.filter((r) => r.prefill_latency_s * 1e3 <= 30 && (r.output_tokens > 1 ? r.decode_latency_s * 1e3 : 0) <= 45).length;
  t.true(good > 0 && good < 20, `the SLOs split the requests (${good} good)`);
  t.true(Math.abs(b.request_goodput! - good / summary.makespan_s) < 1e-5);
});

test('ITL of a request alone is its TPOT: every gap is one decode step', (t) => {
  const config = tinyConfig({ workload: { num_requests: 1, arrival: { kind: 'burst' }, lengths: { prompt: { kind: 'fixed', tokens: 64 }, output: { kind: 'fixed', tokens: 40 } } } } as never);
  const b = summarize(simulate(config).records).summary.vllm_bench as Record<string, number>;
  t.true(Math.abs(b.mean_itl_ms! - b.mean_tpot_ms!) < 1e-4);
  t.true(b.mean_itl_ms! > 0);
});

test('TokenGaps: exact mean and std, percentiles within the stated relative accuracy', (t) => {
  let x = 12345;
  const values = Array.from({ length: 20_000 }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return 5 + (x / 2 ** 31) ** 3 * 500;
  });
  const gaps = new TokenGaps();
  for (const v of values) gaps.add(v);
  const exact = exactStats(values);
  t.is(gaps.count, values.length);
  t.true(Math.abs(gaps.mean - exact.mean) < 1e-9 * exact.mean);
  t.true(Math.abs(gaps.std - exact.std) < 1e-9 * exact.std);
  for (const q of [0.5, 0.9, 0.99]) {
    const err = Math.abs(gaps.quantile(q) - exact.quantile(q)) / exact.quantile(q);
    t.true(err < 0.002, `q${q}: relative error ${err}`);
  }
});

test('max_concurrency: never more requests in flight than the limit; held requests start when one leaves', (t) => {
  const workload = { num_requests: 12, arrival: { kind: 'burst' }, lengths: { prompt: { kind: 'fixed', tokens: 32 }, output: { kind: 'fixed', tokens: 8 } } };
  const limited = simulate(tinyConfig({ workload: { ...workload, max_concurrency: 3 } } as never));
  const free = simulate(tinyConfig({ workload } as never));
  const inFlight = (result: ReturnType<typeof simulate>): number => {
    const events = result.requests.flatMap((r) => [[r.arrival_s, 1], [r.finish_s ?? Infinity, -1]] as [number, number][]);
    events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let now = 0;
    let most = 0;
    for (const [, d] of events) most = Math.max(most, (now += d));
    return most;
  };
  t.is(inFlight(limited), 3);
  t.is(inFlight(free), 12);
  const finishes = new Set(limited.requests.map((r) => r.finish_s));
  const late = limited.requests.filter((r) => r.arrival_s > 0);
  t.is(late.length, 9);
  t.true(late.every((r) => finishes.has(r.arrival_s)), 'each held request is sent when another finishes');
  t.is(summarize(limited.records).summary.vllm_bench?.max_concurrency, 3);
});

test('requests rejected at arrival have a requests.csv row with the reason, and a count by reason', (t) => {
  // Prompts of 3000 tokens need more blocks than a 150-block instance has.
  const input = tinyInput({ cluster: { instances: 2, total_blocks: 150 } } as never);
  const lengths = { prompt: { kind: 'uniform', mean_tokens: 1700, range_tokens: 2600 }, output: { kind: 'fixed', tokens: 8 } };
  const config = tinyConfig({ ...input, workload: { ...input.workload, lengths } } as never);
  const result = simulate(config);
  const dir = join(tempDir(), 'run');
  const summary = writeResults(result.records, dir);
  t.true(summary.rejected > 0 && summary.requests > 0, `${summary.rejected} rejected, ${summary.requests} finished`);
  t.deepEqual(summary.rejected_by_reason, { 'needs # blocks / # prompt tokens, beyond one instance': summary.rejected });
  const rows = readRows(dir);
  t.is(rows.length, summary.submitted);
  const rejected = rows.filter((r) => r.rejected_reason !== '');
  t.is(rejected.length, summary.rejected);
  for (const r of rejected) {
    t.regex(r.rejected_reason ?? '', /^needs \d+ blocks \/ \d+ prompt tokens, beyond one instance$/);
    t.is(r.finish_s, '');
    t.true(Number(r.prompt_tokens) > 0);
  }
  t.deepEqual(rows.map((r) => Number(r.request_id)).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i));
});

const VLLM_RESULT = {
  date: '20260101-120000', backend: 'vllm', model_id: 'meta-llama/Llama-2-7b-hf', tokenizer_id: 'meta-llama/Llama-2-7b-hf',
  num_prompts: 100, request_rate: 8, burstiness: 1, max_concurrency: null, duration: 20.5, completed: 100,
  total_input_tokens: 25000, total_output_tokens: 20000, request_throughput: 4.878, request_goodput: null,
  output_throughput: 975.6, total_token_throughput: 2195.1,
  mean_ttft_ms: 123.4, median_ttft_ms: 100.1, std_ttft_ms: 40.2, p99_ttft_ms: 310.7,
  mean_tpot_ms: 35.2, median_tpot_ms: 34.9, std_tpot_ms: 3.1, p99_tpot_ms: 45.3,
  mean_itl_ms: 35.0, median_itl_ms: 33.3, std_itl_ms: 9.9, p99_itl_ms: 80.1,
  input_lens: [], output_lens: [], ttfts: [], itls: [], generated_texts: [], errors: [],
};

test('compare: fleetlab runs and a vLLM result JSON side by side, each headed by its own name', (t) => {
  const root = tempDir();
  for (const [name, rate] of [['a', 4], ['b', 6]] as const) {
    writeResults(simulate(tinyConfig({ name, system: 'Llumnix', workload: { ...tinyInput().workload, arrival: { kind: 'poisson', rate_per_s: rate } } } as never)).records, join(root, name));
  }
  const vllmFile = join(root, 'vllm-8qps-Llama-2-7b-hf-20260101-120000.json');
  writeFileSync(vllmFile, JSON.stringify(VLLM_RESULT));
  const table = compareTable(readComparables([join(root, 'a'), join(root, 'b'), vllmFile]));
  const [header, systems] = table.split('\n');
  t.regex(header ?? '', /^metric\s+a\s+b\s+vllm-8qps-Llama-2-7b-hf-20260101-120000$/);
  t.regex(systems ?? '', /Llumnix\s+Llumnix\s+vLLM bench meta-llama\/Llama-2-7b-hf$/);
  t.regex(table, /prefill latency mean \(s\)\s+\S+\s+\S+\s+0\.123\n/);
  t.regex(table, /inter-token latency P99 \(ms\)\s+\S+\s+\S+\s+80\.1\n/);
  t.regex(table, /preemptions\s+\d+\s+\d+\s+—\n/);
  // Anything else is named with what was expected.
  const bad = join(root, 'other.json');
  writeFileSync(bad, JSON.stringify({ hello: 1 }));
  t.throws(() => readComparables([bad]), { message: /other\.json: expected a fleetlab summary .* or a `vllm bench serve` result .*found keys: hello/ });
  t.throws(() => readComparables([join(root, 'missing')]), { message: /missing: no such file or folder/ });
});

test('merge: a shard that drew no point merges (header only), and with the others gives every point', async (t) => {
  const out = tempDir();
  const sweep = { ...tinySweep(50), points: tinySweep(50).points.slice(0, 1) };
  const shards = [0, 1].map((i) => join(out, `s${i}`));
  for (const [i, dir] of shards.entries()) await runSweep(sweep, { out: dir, workers: 1, shard: { index: i, count: 2 } });
  t.is(mergedCsv(mergeSweeps([shards[1] as string])).trim().split('\n').length, 1);
  const both = mergeSweeps(shards);
  t.deepEqual(both.map((p) => p.id), [sweep.points[0]?.id]);
  mkdirSync(join(out, 'nothing'));
  t.throws(() => mergeSweeps([join(out, 'nothing')]), { message: /no points\/ folder and no sweep\.json/ });
});

test('bench serve result JSON: request_goodput counts requests meeting every SLO (one-token TPOT as 0)', (t) => {
  const out = (ttft_s: number, latency_s: number, output_tokens: number) => ({
    success: true, error: '', generated_text: 'x', prompt_len: 10, output_tokens, start_s: 0, ttft_s, itl_s: [], latency_s,
  });
  // TPOT: (1.0 − 0.1)/9 = 0.1 s; (0.5 − 0.3)/1 = 0.2 s; one token → 0.
  const outputs = [out(0.1, 1.0, 10), out(0.3, 0.5, 2), out(0.2, 0.2, 1)];
  const base = BenchServeOptionsSchema.parse({ model: 'm' });
  t.is(vllmResult(base, outputs, 2, 'd').request_goodput, null);
  const slo = (goodput: Record<string, number>) => vllmResult({ ...base, goodput }, outputs, 2, 'd').request_goodput;
  t.is(slo({ tpot: 150 }), 2 / 2);
  t.is(slo({ ttft: 250, tpot: 150 }), 2 / 2);
  t.is(slo({ ttft: 150 }), 1 / 2);
  t.is(slo({ e2el: 600 }), 2 / 2);
});

test('compare: what a run lists under not_measured (a real fleet seen from its client) shows "—", not a measured 0', (t) => {
  const root = tempDir();
  writeResults(simulate(tinyConfig({ name: 'sim', system: 'Llumnix' } as never)).records, join(root, 'sim'));
  const sim = JSON.parse(readFileSync(join(root, 'sim', 'summary.json'), 'utf8')) as Record<string, unknown>;
  // As `fleetlab bench serve` writes it: zeros in the fields a client cannot see, and their names.
  const client = {
    ...sim, name: 'bench-serve', system: 'real:tiny', preemption_loss_s: 0, preemptions: 0, avg_instances_time_weighted: 0,
    migrations: { started: 0, committed: 0, aborted: 0, aborted_by_reason: {}, downtime_ms: { mean: 0, p50: 0, p99: 0 }, blocks_copied: 0 },
    not_measured: ['preemption_loss_s', 'preemptions', 'migrations', 'avg_instances_time_weighted'],
  };
  const table = compareTable([sim as never, client as never]);
  for (const row of ['preemption loss \\(s/request\\)', 'preemptions', 'migrations committed', 'migrations aborted', 'avg instances']) {
    t.regex(table, new RegExp(`\\n${row}\\s+\\S+\\s+—(\\n|$)`), row);
  }
  t.regex(table, /\nrequests finished\s+(\d+)\s+\1\n/, 'measured fields still show');
});
