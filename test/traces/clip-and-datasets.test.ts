import test from 'ava';
import {
  generateWorkload,
  loadTrace,
  loadTraceText,
  parseTraceSource,
  sampleRandomDataset,
  sampleShareGptDataset,
  sampleSonnetDataset,
  sampleVllmDataset,
  TraceError,
  VllmDatasetSchema,
  type LoadedTrace,
  type TraceSourceInput,
  type WorkloadReport,
} from '../../traces/index.ts';
import { fixtureDir, stream, streams } from './helpers.ts';

const VIDUR = ['arrived_at,num_prefill_tokens,num_decode_tokens', '0,100,50', '1,3000,1500', '2,100,5000', '3,4000,96'].join('\n');
const load = (text: string, extra: Record<string, unknown>): LoadedTrace => loadTraceText(text, parseTraceSource({ format: 'vidur', path: 'x.csv', ...extra }), 'x.csv');
const lengths = (tr: LoadedTrace): number[][] => tr.rows.map((r) => [r.prompt_tokens, r.output_tokens]);

test("max_total_tokens with Vidur's replay rule (cut_prompt): the prompt gives up the excess; an output alone over the limit is dropped, counted", (t) => {
  const tr = load(VIDUR, { max_total_tokens: 4096, over_max_total_tokens: 'cut_prompt' });
  t.deepEqual(lengths(tr), [[100, 50], [2596, 1500], [4000, 96]]);
  t.deepEqual(tr.adjusted, { prompt_cut_to_max_total_tokens: 1 });
  t.deepEqual(tr.dropped, { output_reaches_max_total_tokens: 1 });
});

test("max_total_tokens with Vidur's proportional rule: each side loses ⌈excess × share⌉ and keeps ≥ 1; every clip counted", (t) => {
  const tr = load(VIDUR, { max_total_tokens: 4096, over_max_total_tokens: 'proportional' });
  // 3000+1500: excess 404 → −270 / −135; 100+5000: excess 1004 → −20 / −985.
  t.deepEqual(lengths(tr), [[100, 50], [2730, 1365], [80, 4015], [4000, 96]]);
  t.deepEqual(tr.adjusted, { clipped_proportionally_to_max_total_tokens: 2 });
  for (const [p, o] of lengths(tr)) t.true((p ?? 0) + (o ?? 0) <= 4096);
});

test('max_total_tokens drops by default (counted), and min/max prompt and min output filters drop and count', (t) => {
  const dropped = load(VIDUR, { max_total_tokens: 4096 });
  t.deepEqual(lengths(dropped), [[100, 50], [4000, 96]]);
  t.deepEqual(dropped.dropped, { over_max_total_tokens: 2 });
  const filtered = load(VIDUR, { min_prompt_tokens: 101, max_prompt_tokens: 3500, min_output_tokens: 60 });
  t.deepEqual(lengths(filtered), [[3000, 1500]]);
  t.deepEqual(filtered.dropped, { under_min_prompt_tokens: 2, over_max_prompt_tokens: 1 });
  t.throws(() => parseTraceSource({ format: 'vidur', path: 'x', over_max_total_tokens: 'squash' }), { message: /over_max_total_tokens to be one of "drop" \| "cut_prompt" \| "proportional"/ });
});

test("vllm-jsonl: vLLM's custom dataset lines ({prompt}), token counts under vLLM's names, ms timestamps; mixed stamps or two names are errors", (t) => {
  const src = (extra: Record<string, unknown> = {}): ReturnType<typeof parseTraceSource> => parseTraceSource({ format: 'vllm-jsonl', path: 'r.jsonl', ...extra });
  const custom = loadTraceText('{"prompt": "abcdefghij"}\n\n{"prompt": "abcd", "output_tokens": 7}\n{"input_len": 300, "output_len": 20}\n', src(), 'r.jsonl');
  t.deepEqual(lengths(custom), [[3, 256], [1, 7], [300, 20]]);
  const timed = loadTraceText('{"timestamp": 1500, "input_length": 10, "output_length": 2, "hash_ids": [1, 2]}\n{"timestamp": 500, "prompt_len": 5, "max_tokens": 3}\n', src({ output_len: 9 }), 'r.jsonl');
  t.deepEqual(timed.rows.map((r) => r.arrival_s), [0, 1]);
  t.deepEqual(timed.rows[1]?.hash_ids, [1, 2]);
  t.is(timed.reordered, 2);
  t.throws(() => loadTraceText('{"timestamp": 1, "prompt_len": 1}\n{"prompt_len": 2}\n', src(), 'r.jsonl'), { instanceOf: TraceError, message: /r\.jsonl:2.*timestamp.*every line or on none/ });
  t.throws(() => loadTraceText('{"prompt_len": 1, "input_len": 2}\n', src(), 'r.jsonl'), { message: /prompt_len\/input_len/ });
  t.throws(() => loadTraceText('{"text": "x"}\n', src(), 'r.jsonl'), { message: /r\.jsonl:1.*prompt.*a prompt text or a token count/ });
});

const SHAREGPT = JSON.stringify([
  { conversations: [{ from: 'human', value: 'x'.repeat(40) }, { from: 'gpt', value: 'y'.repeat(80) }] }, // 10 / 20
  { conversations: [{ from: 'human', value: 'x'.repeat(8) }, { from: 'gpt', value: 'y'.repeat(80) }] }, // prompt 2 < 4
  { conversations: [{ from: 'human', value: 'x'.repeat(4400) }, { from: 'gpt', value: 'y'.repeat(40) }] }, // prompt 1100 > 1024
  { conversations: [{ from: 'human', value: 'x'.repeat(4000) }, { from: 'gpt', value: 'y'.repeat(4400) }] }, // total 2100 > 2048
  { conversations: [{ from: 'human', value: 'x'.repeat(400) }, { from: 'gpt', value: 'y'.repeat(200) }] }, // 100 / 50
]);

test("sharegpt dataset: vLLM's validity filter drops (counted), rows are taken without replacement in a seeded order, then oversampled (counted)", (t) => {
  const dir = fixtureDir({ 'sg.json': SHAREGPT });
  const traces: LoadedTrace[] = [];
  const loader = (s: TraceSourceInput): LoadedTrace => {
    const tr = loadTrace(s, { baseDir: dir });
    traces.push(tr);
    return tr;
  };
  const d = VllmDatasetSchema.parse({ name: 'sharegpt', path: 'sg.json' });
  const counts = { oversampled: 0 };
  const two = sampleShareGptDataset(d as Extract<typeof d, { name: 'sharegpt' }>, 2, stream('sg'), loader, counts);
  t.deepEqual(two.map((r) => [r.prompt_tokens, r.output_tokens]).sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0)), [[10, 20], [100, 50]]);
  t.is(counts.oversampled, 0);
  t.deepEqual(traces[0]?.dropped, { under_min_prompt_tokens: 1, over_max_prompt_tokens: 1, over_max_total_tokens: 1 });
  const five = sampleVllmDataset(d, 5, stream('sg'), loader, counts);
  t.is(five.length, 5);
  t.is(counts.oversampled, 3);
  // A fixed output length replaces the answer's and bounds the prompt by 2048 − output_len.
  const fixed = sampleVllmDataset(VllmDatasetSchema.parse({ name: 'sharegpt', path: 'sg.json', output_len: 1500 }), 2, stream('sg'), loader, { oversampled: 0 });
  t.true(fixed.every((r) => r.output_tokens === 1500 && r.prompt_tokens <= 548));
});

test('random dataset: lengths in vLLM ranges, every prompt opening with the same prefix blocks; sonnet: fixed lengths and shared prefix', (t) => {
  const d = { name: 'random', input_len: 100, output_len: 20, range_ratio: 0.5, prefix_len: 64 } as const;
  const reqs = sampleRandomDataset(d, 200, stream('rnd'));
  for (const r of reqs) {
    t.true(r.prompt_tokens >= 64 + 50 && r.prompt_tokens <= 64 + 150);
    t.true(r.output_tokens >= 10 && r.output_tokens <= 30);
    t.deepEqual(r.hash_ids?.slice(0, 4), [0, 1, 2, 3]);
    t.is(r.hash_ids?.length, Math.ceil(r.prompt_tokens / 16));
  }
  const tails = reqs.flatMap((r) => r.hash_ids?.slice(4) ?? []);
  t.is(new Set(tails).size, tails.length, 'blocks after the prefix are never shared');
  t.deepEqual(new Set(reqs.map((r) => r.prompt_tokens)).size > 50, true);
  t.deepEqual(sampleRandomDataset({ ...d, range_ratio: 0, prefix_len: 0 }, 3, stream('rnd')), [
    { prompt_tokens: 100, output_tokens: 20 },
    { prompt_tokens: 100, output_tokens: 20 },
    { prompt_tokens: 100, output_tokens: 20 },
  ]);
  const sonnet = sampleSonnetDataset({ name: 'sonnet', input_len: 550, output_len: 150, prefix_len: 200 }, 3);
  t.true(sonnet.every((r) => r.prompt_tokens === 550 && r.output_tokens === 150 && r.hash_ids?.slice(0, 12).join() === '0,1,2,3,4,5,6,7,8,9,10,11'));
  t.not(sonnet[0]?.hash_ids?.[12], sonnet[1]?.hash_ids?.[12]);
});

test('workload.lengths.dataset drives generateWorkload (burstgpt: GPT-4 rows with a response), same seed → same requests, report counts', (t) => {
  const dir = fixtureDir({
    'burst.csv': ['Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type', '0,GPT-4,300,20,320,Conversation log', '1,ChatGPT,50,10,60,Conversation log', '2,GPT-4,40,0,40,API log', '3,GPT-4,700,80,780,API log'].join('\n'),
  });
  const config = { num_requests: 4, arrival: { kind: 'poisson', rate_per_s: 2 }, lengths: { dataset: { name: 'burstgpt', path: 'burst.csv' } } } as const;
  const report: WorkloadReport = { traces: [], clipped_to_cap_tokens: 0 };
  const a = generateWorkload(config, streams('b'), { baseDir: dir, report });
  const b = generateWorkload(config, streams('b'), { baseDir: dir });
  t.deepEqual(a, b);
  t.true(a.every((r) => (r.prompt_tokens === 300 && r.output_tokens === 20) || (r.prompt_tokens === 700 && r.output_tokens === 80)));
  t.is(report.dataset_oversampled, 2);
  t.deepEqual(report.traces[0]?.dropped, { model: 1, zero_output_tokens: 1 });
  t.throws(() => generateWorkload({ ...config, lengths: { ...config.lengths, prompt: { kind: 'fixed', tokens: 1 } } } as never, streams('b')), { message: /paired alone, or dataset alone/ });
  // The random dataset's shared prefix reaches the requests as trace hash ids.
  const rnd = generateWorkload({ num_requests: 2, arrival: { kind: 'burst' }, lengths: { dataset: { name: 'random', input_len: 32, output_len: 4, prefix_len: 32 } } }, streams('r'));
  t.deepEqual(rnd.map((r) => [r.hash_ids?.slice(0, 2), r.hash_block_tokens]), [[[0, 1], 16], [[0, 1], 16]]);
});

test('vllm-result: a vllm bench serve --save-detailed JSON replays its requests; failed ones are dropped and counted', (t) => {
  const src = parseTraceSource({ format: 'vllm-result', path: 'bench.json' });
  const json = JSON.stringify({ input_lens: [100, 200, 300], output_lens: [10, 0, 30], start_times: [5.5, 5.0, 6.0], errors: ['', 'timeout', ''] });
  const tr = loadTraceText(json, src, 'bench.json');
  t.deepEqual(tr.rows.map((r) => [r.arrival_s, r.prompt_tokens, r.output_tokens]), [[0, 100, 10], [0.5, 300, 30]]);
  t.deepEqual(tr.dropped, { failed_request: 1 });
  const noTimes = loadTraceText(JSON.stringify({ input_lens: [7], output_lens: [3] }), src, 'bench.json');
  t.deepEqual(noTimes.rows.map((r) => [r.arrival_s, r.prompt_tokens]), [[undefined, 7]]);
  t.throws(() => loadTraceText(JSON.stringify({ input_lens: [1, 2], output_lens: [3] }), src, 'bench.json'), { message: /output_lens.*2 entries, one per input_lens entry/ });
  t.throws(() => loadTraceText(JSON.stringify({ completed: 3 }), src, 'bench.json'), { message: /input_lens.*--save-detailed/ });
});
