import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { parse } from 'csv-parse/sync';
import { RecordCollector, type RequestRecord, type RunObserver, STEP_COLUMNS, type StepRecord, summarize, type TraceEvent, writeResults } from '../../metrics/index.ts';
import { parseRunConfig, simulate } from '../../sim/index.ts';

// Issue 9 §4: metrics/ reads neutral records emitted through observers; steps.csv and
// trace.json behind flags, their totals equal to the summary's.

test('metrics/ imports nothing from sim/ or backend/ (the sim↔metrics cycle is gone)', (t) => {
  const dir = join(import.meta.dirname, '../../metrics');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  t.true(files.length >= 12);
  for (const file of files) {
    const imports = [...readFileSync(join(dir, file), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1] as string);
    for (const spec of imports) t.false(/(^|\/)(sim|backend)(\/|$)/.test(spec), `${file} imports ${spec}`);
  }
});

/** Tight memory and an eager migration trigger: the run preempts and migrates. */
const config = parseRunConfig({
  name: 'records',
  seed: 1,
  cluster: { instances: 4, total_blocks: 120, max_num_batched_tokens: 2048 },
  migration: { max_stages: 3 },
  scheduler: { dispatch: { kind: 'load' }, pairing: { kind: 'defrag', migrate_threshold: 3 }, selector: { kind: 'SR' }, trigger: { kind: 'every-reports', reports_per_instance: 1 } },
  workload: {
    num_requests: 200,
    arrival: { kind: 'gamma', rate_per_s: 8, cv: 3 },
    lengths: { prompt: { kind: 'zipf', mean_tokens: 128, range_tokens: 1024 }, output: { kind: 'zipf', mean_tokens: 128, range_tokens: 512 } },
  },
});

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'fleetlab-records-'));

test('steps.csv and trace.json parse, and their totals equal the summary', (t) => {
  const seen: StepRecord[] = [];
  const result = simulate(config, { keepSteps: true, observers: [{ step: (s) => void seen.push(s) }] });
  const dir = join(tempDir(), 'run');
  const summary = writeResults(result.records, dir, { steps: true, traceJson: true });
  t.true(summary.preemptions > 0 && summary.migrations.started > 0, 'the run must preempt and migrate');

  const rows = parse(readFileSync(join(dir, 'steps.csv')), { columns: true, cast: true }) as Record<string, number>[];
  t.deepEqual(Object.keys(rows[0] ?? {}), [...STEP_COLUMNS]);
  t.is(rows.length, seen.length, 'one row per step an observer saw');
  const total = (key: string): number => rows.reduce((s, r) => s + (r[key] ?? 0), 0);
  t.is(total('preemptions'), summary.preemptions);
  // Every token is one step's output: a decode, or the last chunk of a (re)prefill.
  const requests = parse(readFileSync(join(dir, 'requests.csv')), { columns: true, cast: true }) as Record<string, number>[];
  const outputTokens = requests.reduce((s, r) => s + (r['output_tokens'] ?? 0), 0);
  t.true(total('decode_seqs') <= outputTokens && total('decode_seqs') >= outputTokens - requests.length - summary.preemptions - summary.migrations.committed);
  // Σ over steps of duration × sequences = Σ over requests of their execution time.
  const execution = requests.reduce((s, r) => s + (r['execution_s'] ?? 0), 0);
  const stepExecution = rows.reduce((s, r) => s + (r['duration_s'] ?? 0) * ((r['prefill_seqs'] ?? 0) + (r['decode_seqs'] ?? 0)), 0);
  t.true(Math.abs(execution - stepExecution) < 1e-6 * execution, `${execution} vs ${stepExecution}`);
  t.true(rows.every((r) => (r['context_tokens'] ?? 0) >= (r['prefill_tokens'] ?? 0) + (r['decode_seqs'] ?? 0)));

  const trace = JSON.parse(readFileSync(join(dir, 'trace.json'), 'utf8')) as { traceEvents: TraceEvent[] };
  const events = trace.traceEvents;
  const slices = events.filter((e) => e.ph === 'X');
  t.is(slices.length, rows.length, 'one slice per step');
  const instances = new Set(rows.map((r) => r['instance']));
  const named = events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.tid);
  for (const id of instances) t.true(named.includes(id as number), `instance ${id} has a named track`);
  const preempts = events.filter((e) => e.cat === 'preemption');
  t.is(preempts.reduce((s, e) => s + Number(e.args?.['requests']), 0), summary.preemptions);
  const migrations = events.filter((e) => e.cat === 'migration');
  t.is(migrations.length, 2 * summary.migrations.started, 'a start and an end instant per migration');
  t.is(migrations.filter((e) => e.name === 'migration committed').length, summary.migrations.committed);
  // One instance runs one step at a time: its slices never overlap.
  for (const id of instances) {
    const mine = slices.filter((e) => e.tid === id);
    for (let i = 1; i < mine.length; i++) t.true((mine[i]?.ts ?? 0) >= (mine[i - 1]?.ts ?? 0) + (mine[i - 1]?.dur ?? 0) - 1e-3);
  }
  const manifest = JSON.parse(readFileSync(join(dir, '.fleetlab-results.json'), 'utf8')) as { files: Record<string, unknown> };
  t.true('steps.csv' in manifest.files && 'trace.json' in manifest.files);
});

test('without the flags no step is kept and the folder has no steps.csv or trace.json', (t) => {
  const result = simulate(config);
  t.is(result.records.steps, undefined);
  const dir = join(tempDir(), 'run');
  writeResults(result.records, dir);
  t.false(existsSync(join(dir, 'steps.csv')) || existsSync(join(dir, 'trace.json')));
  t.throws(() => writeResults(result.records, join(tempDir(), 'x'), { steps: true }), { message: /kept no step records/ });
  // metrics.steps in the config keeps them too.
  t.true((simulate(parseRunConfig({ ...config, metrics: { steps: true } })).records.steps?.length ?? 0) > 0);
});

test('observers see every request once, when it leaves; records list them by id', (t) => {
  const order: number[] = [];
  const observer: RunObserver = { request: (r) => void order.push(r.id) };
  const result = simulate(config, { observers: [observer] });
  t.is(order.length, config.workload.num_requests);
  t.notDeepEqual(order, [...order].sort((a, b) => a - b), 'requests leave in finish order');
  t.deepEqual([...result.records.requests].map((r) => r.id), [...order].sort((a, b) => a - b));
  // The records summarise to what the simulator's own objects say.
  const { summary } = summarize(result.records);
  t.is(summary.preemptions, result.requests.reduce((s, r) => s + r.preemptions, 0));
  t.is(summary.migrations.started, result.migrations.length);
});

test('the collector refuses to hand over records before the run ended, and a second run', (t) => {
  const c = new RecordCollector();
  t.throws(() => c.records(), { message: /before the run started and ended/ });
  const info = { name: 'a', system: 'a', seed: 0, config: {} };
  c.runStarted(info);
  t.throws(() => c.runStarted({ ...info, name: 'b' }), { message: /serves one run; b started after a/ });
  const record = (id: number): RequestRecord => ({
    id, priority: 'normal', instance: -1, arrival_s: id, prompt_tokens: 1, output_tokens: 1, first_scheduled_s: undefined,
    first_token_s: id + 1, last_token_s: id + 1, finish_s: id + 1, execution_s: 0, preemptions: 0, migrations: 0, recomputes: [],
  });
  c.request(record(2));
  c.request(record(0));
  c.runEnded({ end_s: 3, events: 0, avg_instances: 0, avg_instances_record_weighted: 0, not_measured: ['events'] });
  t.deepEqual([...c.records().requests].map((r) => r.id), [0, 2]);
  const { summary } = summarize(c.records());
  t.deepEqual(summary.not_measured, ['events']);
  t.is(summary.requests, 2);
});

test('fleetlab run --steps --trace-json writes both files, listed in the manifest; config.json records the flags', async (t) => {
  const out = join(tempDir(), 'mm');
  const bin = new URL('../../bin/fleetlab.js', import.meta.url).pathname;
  await promisify(execFile)(process.execPath, [bin, 'run', '--preset', 'llumnix-fig11/M-M/llumnix', '--set', 'workload.num_requests=100', '--steps', '--trace-json', '--no-progress', '--out', out]);
  t.deepEqual(readdirSync(out).sort(), ['.fleetlab-results.json', 'config.json', 'instances.csv', 'migrations.csv', 'requests.csv', 'steps.csv', 'summary.json', 'trace.json']);
  const written = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as { metrics: Record<string, unknown> };
  t.like(written.metrics, { steps: true, trace_json: true });
  const steps = readFileSync(join(out, 'steps.csv'), 'utf8').trim().split('\n').length - 1;
  const trace = JSON.parse(readFileSync(join(out, 'trace.json'), 'utf8')) as { traceEvents: TraceEvent[] };
  t.true(steps > 0);
  t.is(trace.traceEvents.filter((e) => e.ph === 'X').length, steps);
});
