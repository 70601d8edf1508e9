import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { verifyResults } from '../../metrics/index.ts';
import { startServer } from '../api/helpers.ts';

const run = promisify(execFile);
const bin = new URL('../../bin/fleetlab.js', import.meta.url).pathname;

test('fleetlab bench serve: vLLM result JSON, a results folder that fleetlab compare shows beside a simulated run', async (t) => {
  const { url } = await startServer(t, { max_model_len: 4096 });
  const dir = mkdtempSync(join(tmpdir(), 'fleetlab-bench-'));
  const real = join(dir, 'real');
  const { stdout } = await run(process.execPath, [
    bin, 'bench', 'serve', '--base-url', url, '--model', 'test-model', '--endpoint', '/v1/chat/completions',
    '--num-prompts', '6', '--random-input-len', '16', '--random-output-len', '5', '--request-rate', '100', '--burstiness', '2',
    '--metric-percentiles', '50,99.9', '--save-result', '--result-dir', dir, '--result-filename', 'vllm.json', '--out', real,
  ]);
  t.regex(stdout, /Serving Benchmark Result/);
  t.regex(stdout, /Successful requests:\s+6/);
  t.regex(stdout, /P99\.9 TTFT \(ms\):/);
  const vllm = JSON.parse(readFileSync(join(dir, 'vllm.json'), 'utf8'));
  t.like(vllm, { backend: 'openai-chat', completed: 6, request_rate: 100, burstiness: 2, total_output_tokens: 30 });
  for (const m of ['ttft', 'tpot', 'itl', 'e2el']) t.true(`p99.9_${m}_ms` in vllm && `p50_${m}_ms` in vllm, m);

  // The simulator's folder, written through the same records and writer (no instance samples or migrations: not measured).
  t.deepEqual(readdirSync(real).sort(), ['.fleetlab-results.json', 'config.json', 'instances.csv', 'migrations.csv', 'requests.csv', 'summary.json']);
  t.is(verifyResults(real), undefined);
  const summary = JSON.parse(readFileSync(join(real, 'summary.json'), 'utf8'));
  t.like(summary, { system: 'real:test-model', requests: 6, submitted: 6, rejected: 0, seed: 0 });
  // summary.json rounds to microseconds; vLLM's JSON does not.
  t.true(Math.abs(summary.prefill_latency_s.mean * 1e3 - vllm.mean_ttft_ms) < 2e-3, 'prefill latency mean = mean TTFT');
  t.true(Math.abs(summary.request_latency_s.mean * 1e3 - vllm.mean_e2el_ms) < 2e-3, 'request latency mean = mean E2EL');
  t.true(summary.not_measured.includes('preemptions'));
  const config = JSON.parse(readFileSync(join(real, 'config.json'), 'utf8'));
  t.like(config, { kind: 'bench-serve', model: 'test-model', request_rate: '100', num_prompts: 6 });
  const csv = readFileSync(join(real, 'requests.csv'), 'utf8').trim().split('\n');
  t.is(csv.length, 7);
  t.true(csv[0]?.startsWith('request_id,priority,instance_id,arrival_s,first_scheduled_s,first_token_s,finish_s,prompt_tokens,output_tokens'));

  const sim = join(dir, 'sim');
  await run(process.execPath, [bin, 'run', '--preset', 'llumnix-fig11/M-M/llumnix', '--set', 'workload.num_requests=60', '--no-progress', '--out', sim]);
  const compared = await run(process.execPath, [bin, 'compare', sim, real]);
  // Each column is headed by its run's name, the system on the line below.
  t.regex(compared.stdout, /^metric\s+fig11-M-M-llumnix-7\.5-num_requests=60\s+bench-serve-test-model-100qps\n\s+Llumnix\s+real:test-model\n/);
  t.regex(compared.stdout, /requests finished\s+60\s+6/);
});

test('fleetlab bench serve --dataset-name sharegpt: turn 0 is the prompt, turn 1 sets max_tokens', async (t) => {
  const { url, engine } = await startServer(t, { max_model_len: 4096 });
  const dir = mkdtempSync(join(tmpdir(), 'fleetlab-sharegpt-'));
  const file = join(dir, 'sharegpt.jsonl');
  const rows = [
    { conversations: [{ from: 'human', value: 'What is a KV cache?' }, { from: 'gpt', value: 'Keys and values.' }] },
    { conversations: [{ from: 'human', value: 'hi' }, { from: 'gpt', value: 'too short a prompt' }] },
    { conversations: [{ from: 'human', value: 'only one turn' }] },
    { conversations: [{ from: 'human', value: 'Explain migration.' }, { from: 'gpt', value: 'Copy blocks, then commit.' }] },
  ];
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n'));
  await run(process.execPath, [
    bin, 'bench', 'serve', '--base-url', url, '--model', 'test-model', '--dataset-name', 'sharegpt', '--dataset-path', file,
    '--num-prompts', '2', '--out', join(dir, 'out'),
  ]);
  const sent = engine.requests.map((q) => [Buffer.from(q.prompt_token_ids).toString(), q.sampling.max_tokens]).sort();
  t.deepEqual(sent, [
    ['Explain migration.', 'Copy blocks, then commit.'.length],
    ['What is a KV cache?', 'Keys and values.'.length],
  ]);
  const error = await t.throwsAsync(run(process.execPath, [bin, 'bench', 'serve', '--base-url', url, '--model', 'test-model', '--dataset-name', 'sharegpt', '--dataset-path', file, '--num-prompts', '3', '--out', join(dir, 'x')]));
  t.regex(String((error as { stderr?: string }).stderr), /only 2 usable conversations for --num-prompts 3/);
});

test('fleetlab bench serve: a bad flag names the option and the value', async (t) => {
  const refused = async (...args: string[]): Promise<string> => {
    const error = await t.throwsAsync(run(process.execPath, [bin, 'bench', 'serve', '--model', 'm', ...args]));
    return String((error as { stderr?: string }).stderr);
  };
  t.regex(await refused('--burstiness', '-1'), /--burstiness <k>' argument '-1' is invalid\. expected a number > 0/);
  t.regex(await refused('--metric-percentiles', '50,abc'), /--metric-percentiles <list>' argument '50,abc' is invalid\. expected numbers separated by commas, received "abc"/);
  t.regex(await refused('--request-rate', 'fast'), /--request-rate <req\/s>' argument 'fast' is invalid\. expected inf or a number > 0/);
  // Checked by the options' schema, named by the flag the user typed (was the schema's field: metric_percentiles[0]).
  t.regex(await refused('--metric-percentiles', '150'), /Expected --metric-percentiles <= 100, received 150/);
  t.regex(await refused('--dataset-name', 'sharegpt'), /Expected --dataset-path to be a ShareGPT JSON file \(required with --dataset-name sharegpt\), received undefined/);
});

test('fleetlab bench serve: a server that is not there is named with its URL before anything is sent or written', async (t) => {
  // A port nothing listens on: bound, then closed.
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address() as AddressInfo;
  await new Promise((done) => probe.close(done));
  const out = join(mkdtempSync(join(tmpdir(), 'fleetlab-bench-')), 'out');
  // Was: "note: the server has no /tokenize", a table of zeros, a results folder of failures, then "first error: fetch failed".
  const error = await t.throwsAsync(run(process.execPath, [bin, 'bench', 'serve', '--base-url', `http://127.0.0.1:${port}`, '--model', 'm', '--num-prompts', '3', '--out', out]));
  const { stderr, stdout } = error as { stderr?: string; stdout?: string };
  t.regex(String(stderr), new RegExp(`cannot reach the server at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\); start it first`));
  t.notRegex(String(stderr), /no \/tokenize/);
  t.is(String(stdout), '');
  t.false(existsSync(out));
  // A URL without its scheme is refused as such (was "Expected base_url to be Invalid URL").
  const bare = await t.throwsAsync(run(process.execPath, [bin, 'bench', 'serve', '--base-url', `127.0.0.1:${port}`, '--model', 'm']));
  t.regex(String((bare as { stderr?: string }).stderr), new RegExp(`Expected --base-url to be an http\\(s\\) URL such as http://127\\.0\\.0\\.1:8000, received "127\\.0\\.0\\.1:${port}"`));
});
