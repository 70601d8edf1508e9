import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { printTraceReport } from '../../cli/trace-report.ts';
import { summarize } from '../../metrics/index.ts';
import { loadTrace, type TraceSourceInput } from '../../traces/index.ts';
import { tempDir, tinyResult } from './helpers.ts';

// Issue 8 §3: unsorted timestamps crashed with "cannot schedule at -4.5 s"; rows dropped by a
// loader were counted nowhere in the results.

function files(): string {
  const dir = tempDir('fleetlab-hostile-traces-');
  writeFileSync(join(dir, 'vidur.csv'), 'arrived_at,num_prefill_tokens,num_decode_tokens\n5,10,10\n0.5,11,11\n9,12,12\n0,13,0\n');
  writeFileSync(
    join(dir, 'azure.csv'),
    'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:08.0,10,10\n2023-11-16 18:17:03.5,11,11\n2023-11-16 18:17:09.0,12,12\n',
  );
  writeFileSync(
    join(dir, 'burstgpt.csv'),
    'Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n7,ChatGPT,10,10,20,Conversation log\n2.5,ChatGPT,11,11,22,Conversation log\n8,GPT-4,12,0,12,Conversation log\n',
  );
  writeFileSync(
    join(dir, 'mooncake.jsonl'),
    '{"timestamp": 4000, "input_length": 10, "output_length": 10}\n{"timestamp": 1000, "input_length": 11, "output_length": 11}\n{"timestamp": 6000, "input_length": 12, "output_length": 12}\n',
  );
  return dir;
}

for (const [format, file, firstPrompt] of [
  ['vidur', 'vidur.csv', 11],
  ['azure', 'azure.csv', 11],
  ['burstgpt', 'burstgpt.csv', 11],
  ['mooncake', 'mooncake.jsonl', 11],
] as const) {
  test(`${format}: unsorted timestamps are sorted (stable, counted) and rebased to the earliest row`, (t) => {
    const trace = loadTrace({ format, path: file } as TraceSourceInput, { baseDir: files() });
    const times = trace.rows.map((r) => r.arrival_s ?? -1);
    t.is(times[0], 0, 'the earliest row arrives at 0');
    t.deepEqual([...times].sort((a, b) => a - b), times, 'arrivals are non-decreasing');
    t.true(times.every((x) => x >= 0));
    t.is(trace.rows[0]?.prompt_tokens, firstPrompt);
    t.true(trace.reordered >= 2);
  });
}

test('stable: rows with equal times keep file order', (t) => {
  const dir = tempDir();
  writeFileSync(join(dir, 't.csv'), 'arrived_at,num_prefill_tokens,num_decode_tokens\n3,1,1\n1,2,2\n1,3,3\n1,4,4\n');
  const trace = loadTrace({ format: 'vidur', path: 't.csv' }, { baseDir: dir });
  t.deepEqual(trace.rows.map((r) => r.prompt_tokens), [2, 3, 4, 1]);
  t.is(trace.reordered, 4);
});

test('an unsorted trace replays to completion and summary.json counts read, dropped and reordered rows', (t) => {
  const dir = files();
  const result = tinyResult(
    {
      workload: {
        num_requests: 3,
        arrival: { kind: 'replay', trace: { format: 'vidur', path: 'vidur.csv' } },
        lengths: { paired: { trace: { format: 'vidur', path: 'vidur.csv' }, order: 'sequential' } },
      },
    },
    dir,
  );
  const { summary } = summarize(result.records);
  t.is(summary.requests, 3);
  t.deepEqual(summary.trace, {
    files: ['vidur.csv'],
    rows_read: 4,
    rows_kept: 3,
    rows_dropped: { zero_output_tokens: 1 },
    rows_adjusted: {},
    rows_reordered: 3,
    requests_clipped_to_cap_tokens: 0,
  });
});

test('requests clipped to cap_tokens are counted', (t) => {
  const dir = files();
  const result = tinyResult(
    {
      workload: {
        num_requests: 3,
        arrival: { kind: 'poisson', rate_per_s: 1 },
        lengths: { paired: { trace: { format: 'vidur', path: 'vidur.csv' }, order: 'sequential', cap_tokens: 11 } },
      },
    },
    dir,
  );
  t.is(summarize(result.records).summary.trace?.requests_clipped_to_cap_tokens, 1);
});

test('a FIFO or a folder as a trace file is refused before reading (no hang)', (t) => {
  const dir = tempDir();
  mkdirSync(join(dir, 'folder.csv'));
  t.throws(() => loadTrace({ format: 'vidur', path: 'folder.csv' }, { baseDir: dir }), { message: /a regular file \(not a folder, FIFO or device\)/ });
});

test('a symbolic link loop is reported as such, not as a missing file', (t) => {
  const dir = tempDir();
  symlinkSync(join(dir, 'b.csv'), join(dir, 'a.csv'));
  symlinkSync(join(dir, 'a.csv'), join(dir, 'b.csv'));
  t.throws(() => loadTrace({ format: 'vidur', path: 'a.csv' }, { baseDir: dir }), { message: /symbolic link loop/ });
  t.throws(() => loadTrace({ format: 'vidur', path: 'none.csv' }, { baseDir: dir }), { message: /no such file/ });
});

test('a trace over the row limit is refused with the bound and how to raise it', (t) => {
  const dir = tempDir();
  writeFileSync(join(dir, 't.csv'), `arrived_at,num_prefill_tokens,num_decode_tokens\n${'1,1,1\n'.repeat(50)}`);
  process.env.FLEETLAB_MAX_TRACE_ROWS = '10';
  try {
    t.throws(() => loadTrace({ format: 'vidur', path: 't.csv' }, { baseDir: dir }), { message: /at most 10 trace rows .*FLEETLAB_MAX_TRACE_ROWS/ });
  } finally {
    delete process.env.FLEETLAB_MAX_TRACE_ROWS;
  }
});

test('fleetlab run prints what happened to the trace rows', (t) => {
  const dir = files();
  const { summary } = summarize(
    tinyResult(
      {
        workload: {
          num_requests: 3,
          arrival: { kind: 'replay', trace: { format: 'vidur', path: 'vidur.csv' } },
          lengths: { paired: { trace: { format: 'vidur', path: 'vidur.csv' }, order: 'sequential' } },
        },
      },
      dir,
    ).records,
  );
  const lines: string[] = [];
  const original = console.error;
  console.error = (line: string) => void lines.push(line);
  try {
    printTraceReport(summary);
  } finally {
    console.error = original;
  }
  t.deepEqual(lines, ['trace vidur.csv: 4 rows read, 3 kept; dropped: 1 zero_output_tokens; 3 reordered by time']);
});
