import test from 'ava';
import { join } from 'node:path';
import { TraceError, loadTrace, parseAzureTimestamp } from '../../traces/index.ts';
import { fixtureDir, mean } from './helpers.ts';

const dir = fixtureDir({
  'vidur.csv': 'arrived_at,num_prefill_tokens,num_decode_tokens\n1.5,10,5\n2.0,20,6\n4.25,30,7\n',
  'lengths.csv': 'num_prefill_tokens,num_decode_tokens,num_total_tokens,pd_ratio\n100,50,150,2\n200.0,25,225,8\n',
  'azure.csv':
    'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 23:59:59.9999999,374,44\n2023-11-17 00:00:00.0000001,396,109\n2023-11-17 00:01:00.5,10,1\n',
  'burst.csv':
    'Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type,Session ID,Elapsed time\n' +
    '5,ChatGPT,472,18,490,Conversation log,a,1\n' +
    '45,GPT-4,1087,0,1087,Conversation log,b,2\n' +
    '118,GPT-4,417,276,693,API log,c,3\n' +
    '130,GPT-4,300,12,312,Conversation log,d,4\n',
  'moon.jsonl':
    '{"timestamp": 0, "input_length": 6758, "output_length": 500, "hash_ids": [0, 1]}\n' +
    '{"timestamp": 1500, "input_length": 700, "output_length": 5, "hash_ids": [0, 2]}\n\n',
  'share.json': JSON.stringify([
    { id: 'a', conversations: [{ from: 'human', value: 'x'.repeat(40) }, { from: 'gpt', value: 'y'.repeat(9) }] },
    { id: 'b', conversations: [{ from: 'human', value: 'only one turn' }] },
    { id: 'c', prompt_tokens: 12, output_tokens: 34 },
    { id: 'd', conversations: [{ from: 'human', value: 'z'.repeat(4000) }, { from: 'gpt', value: 'w' }] },
  ]),
  'share.jsonl': '{"conversations":[{"from":"human","value":"abcdefgh"},{"from":"gpt","value":"abc"}]}\n',
  'bad-token.csv': 'arrived_at,num_prefill_tokens,num_decode_tokens\n0,10,5\n1,abc,6\n',
  'bad-frac.csv': 'arrived_at,num_prefill_tokens,num_decode_tokens\n0,10,5.5\n',
  'bad-time.csv': 'arrived_at,num_prefill_tokens,num_decode_tokens\n0,10,5\n-1,10,5\n',
  'no-col.csv': 'arrived_at,num_prefill_tokens\n0,10\n',
  'ragged.csv': 'arrived_at,num_prefill_tokens,num_decode_tokens\n0,10,5\n1,2\n',
  'bad-azure.csv': 'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03.97,1,1\n2023-13-16 18:17:03.97,1,1\n',
  'bad-moon.jsonl': '{"timestamp": 0, "input_length": 1, "output_length": 1}\n{"timestamp": 0, "input_length": 1\n',
  'bad-moon-ids.jsonl': '{"timestamp": 0, "input_length": 1, "output_length": 1, "hash_ids": [1, "x"]}\n',
  'bad-share.json': JSON.stringify([{ conversations: [{ from: 'human', value: 'a' }, { from: 'gpt', value: 3 }] }]),
  'zero.csv': 'num_prefill_tokens,num_decode_tokens\n5,0\n6,7\n',
});

const src = <T extends object>(format: string, file: string, extra: T = {} as T) => ({ format, path: file, ...extra }) as never;
const opts = { baseDir: dir };

test('vidur CSV: seconds, rebased to the first row by default', (t) => {
  const tr = loadTrace(src('vidur', 'vidur.csv'), opts);
  t.deepEqual(
    tr.rows.map((r) => [r.arrival_s, r.prompt_tokens, r.output_tokens, r.line]),
    [
      [0, 10, 5, 2],
      [0.5, 20, 6, 3],
      [2.75, 30, 7, 4],
    ],
  );
  t.is(tr.format, 'vidur');
});

test('common options: window on the file clock, rebase off, time_scale, max_requests', (t) => {
  const win = loadTrace(src('vidur', 'vidur.csv', { start_s: 1.9, end_s: 4.25 }), opts);
  t.deepEqual(win.rows.map((r) => r.arrival_s), [0]);
  t.deepEqual(win.dropped, { outside_window: 2 });
  const raw = loadTrace(src('vidur', 'vidur.csv', { rebase: false, time_scale: 2, max_requests: 2 }), opts);
  t.deepEqual(raw.rows.map((r) => r.arrival_s), [3, 4]);
  t.deepEqual(raw.dropped, { over_max_requests: 1 });
});

test('length-only CSV: no arrivals; "200.0" is accepted as an integer; windows need timestamps', (t) => {
  const tr = loadTrace(src('lengths', 'lengths.csv'), opts);
  t.deepEqual(tr.rows, [
    { prompt_tokens: 100, output_tokens: 50, line: 2 },
    { prompt_tokens: 200, output_tokens: 25, line: 3 },
  ]);
  const err = t.throws(() => loadTrace(src('lengths', 'lengths.csv', { end_s: 5 }), opts), { instanceOf: TraceError });
  t.regex(err.message, /timestamps/);
});

test('zero-token rows: dropped and counted, clamped, or an error naming the line', (t) => {
  t.deepEqual(loadTrace(src('lengths', 'zero.csv'), opts).dropped, { zero_output_tokens: 1 });
  const clamped = loadTrace(src('lengths', 'zero.csv', { zero_tokens: 'clamp_to_1' }), opts);
  t.is(clamped.rows[0]?.output_tokens, 1);
  t.deepEqual(clamped.adjusted, { clamped_output_tokens: 1 });
  const err = t.throws(() => loadTrace(src('lengths', 'zero.csv', { zero_tokens: 'error' }), opts), { instanceOf: TraceError });
  t.like(err, { line: 2, field: 'output_tokens' });
});

test('Azure timestamps: 7-digit fractions parsed exactly, across midnight', (t) => {
  const tr = loadTrace(src('azure', 'azure.csv'), opts);
  const times = tr.rows.map((r) => r.arrival_s ?? Number.NaN);
  t.is(times[0], 0);
  t.true(Math.abs((times[1] ?? 0) - 2e-7) < 1e-12, String(times[1]));
  t.true(Math.abs((times[2] ?? 0) - 60.5000001) < 1e-9, String(times[2]));
  const w = parseAzureTimestamp('2023-11-16 18:17:03.9799600', { file: 'x' }, 'TIMESTAMP');
  t.deepEqual(w, { epoch_s: Date.UTC(2023, 10, 16, 18, 17, 3) / 1000, nanos: 979_960_000 });
});

test('BurstGPT: failures (0 response tokens) dropped, model and log-type filters, extra columns ignored', (t) => {
  const all = loadTrace(src('burstgpt', 'burst.csv'), opts);
  t.deepEqual(all.rows.map((r) => [r.arrival_s, r.model, r.prompt_tokens, r.output_tokens]), [
    [0, 'ChatGPT', 472, 18],
    [113, 'GPT-4', 417, 276],
    [125, 'GPT-4', 300, 12],
  ]);
  t.deepEqual(all.dropped, { zero_output_tokens: 1 });
  const gpt4conv = loadTrace(src('burstgpt', 'burst.csv', { models: ['GPT-4'], log_types: ['Conversation log'] }), opts);
  t.deepEqual(gpt4conv.rows.map((r) => r.prompt_tokens), [300]);
  t.deepEqual(gpt4conv.dropped, { model: 1, log_type: 1, zero_output_tokens: 1 });
});

test('Mooncake JSONL: ms timestamps, hash_ids kept, blank lines skipped', (t) => {
  const tr = loadTrace(src('mooncake', 'moon.jsonl'), opts);
  t.deepEqual(tr.rows[1], { arrival_s: 1.5, prompt_tokens: 700, output_tokens: 5, hash_ids: [0, 2], line: 2 });
  t.is(tr.rows.length, 2);
});

test('ShareGPT: ≈4 chars per token, precomputed lengths, short conversations dropped, total filter', (t) => {
  const tr = loadTrace(src('sharegpt', 'share.json'), opts);
  t.deepEqual(tr.rows.map((r) => [r.prompt_tokens, r.output_tokens]), [
    [10, 3],
    [12, 34],
    [1000, 1],
  ]);
  t.deepEqual(tr.dropped, { too_few_turns: 1 });
  const capped = loadTrace(src('sharegpt', 'share.json', { max_total_tokens: 100, chars_per_token: 2 }), opts);
  t.deepEqual(capped.rows.map((r) => [r.prompt_tokens, r.output_tokens]), [
    [20, 5],
    [12, 34],
  ]);
  t.deepEqual(loadTrace(src('sharegpt', 'share.jsonl'), opts).rows, [{ prompt_tokens: 2, output_tokens: 1, line: 1 }]);
});

const malformed: [string, string, Partial<TraceError>][] = [
  ['vidur', 'bad-token.csv', { line: 3, field: 'num_prefill_tokens', value: 'abc' }],
  ['vidur', 'bad-frac.csv', { line: 2, field: 'num_decode_tokens', value: '5.5' }],
  ['vidur', 'bad-time.csv', { line: 3, field: 'arrived_at', value: '-1' }],
  ['vidur', 'no-col.csv', { line: 1, field: 'num_decode_tokens' }],
  ['vidur', 'ragged.csv', { line: 3 }],
  ['azure', 'bad-azure.csv', { line: 3, field: 'TIMESTAMP', value: '2023-13-16 18:17:03.97' }],
  ['mooncake', 'bad-moon.jsonl', { line: 2 }],
  ['mooncake', 'bad-moon-ids.jsonl', { line: 1, field: 'hash_ids' }],
  ['sharegpt', 'bad-share.json', { entry: 0, field: 'conversations[1].value', value: 3 }],
  ['burstgpt', 'vidur.csv', { line: 1, field: 'Timestamp' }],
];
for (const [format, file, expected] of malformed) {
  test(`malformed ${file} → TraceError naming file, line/entry and field`, (t) => {
    const err = t.throws(() => loadTrace(src(format, file), opts), { instanceOf: TraceError });
    t.like(err, { file: join(dir, file), ...expected });
    t.true(err.message.startsWith(join(dir, file)), err.message);
    if (expected.line !== undefined) t.true(err.message.includes(`:${expected.line}`), err.message);
    if (expected.field !== undefined) t.true(err.message.includes(expected.field), err.message);
  });
}

test('a missing file is a TraceError', (t) => {
  t.throws(() => loadTrace(src('vidur', 'nope.csv'), opts), { instanceOf: TraceError, message: /nope\.csv.*readable/ });
});

test('shipped Azure conv trace equals Vidur\'s rebased copy', (t) => {
  const azure = loadTrace('builtin:azure-conv');
  const vidur = loadTrace('builtin:vidur-splitwise-conv');
  t.is(azure.rows.length, 19_366);
  t.is(vidur.rows.length, 19_366);
  let worst = 0;
  azure.rows.forEach((row, i) => {
    const other = vidur.rows[i];
    t.truthy(other);
    if (!other) return;
    worst = Math.max(worst, Math.abs((row.arrival_s ?? 0) - (other.arrival_s ?? 0)));
    if (row.prompt_tokens !== other.prompt_tokens || row.output_tokens !== other.output_tokens) t.fail(`row ${i} lengths differ`);
  });
  t.true(worst < 1e-5, `max arrival difference ${worst}`);
  t.true(Math.abs((azure.rows.at(-1)?.arrival_s ?? 0) - 3501.72) < 0.01);
});

test('shipped files load with the statistics their README states', (t) => {
  const code = loadTrace('builtin:azure-code');
  t.is(code.rows.length, 8_819);
  t.true(Math.abs(mean(code.rows.map((r) => r.prompt_tokens)) - 2048) < 5);
  t.is(loadTrace('builtin:vidur-splitwise-code').rows.length, 8_819);
  const share = loadTrace('builtin:sharegpt');
  t.is(share.rows.length, 30_731);
  t.true(Math.abs(mean(share.rows.map((r) => r.prompt_tokens)) - 2340) < 10);
  t.true(Math.abs(mean(share.rows.map((r) => r.output_tokens)) - 439) < 5);
  const moon = loadTrace('builtin:mooncake-sample');
  t.is(moon.rows.length, 200);
  t.true(moon.rows.every((r) => r.hash_ids !== undefined && r.arrival_s !== undefined));
  t.is(moon.file, 'builtin:mooncake-sample');
});
