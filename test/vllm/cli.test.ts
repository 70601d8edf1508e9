// The "done when": `fleetlab run` in vLLM's vocabulary on a ShareGPT file writes vLLM's
// keys, and `compare` shows the run beside a `vllm bench serve` result JSON.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { bin, tempDir } from '../hostile/helpers.ts';

const run = promisify(execFile);

/** A ShareGPT file in vLLM's format (a JSON array of conversations), with one entry each that vLLM's filter drops. */
function shareGptFile(dir: string): string {
  const entries: unknown[] = Array.from({ length: 40 }, (_, i) => ({
    id: `c${i}`,
    conversations: [{ from: 'human', value: 'q'.repeat(200 + 37 * i) }, { from: 'gpt', value: 'a'.repeat(120 + 11 * i) }],
  }));
  entries.push({ id: 'one-turn', conversations: [{ from: 'human', value: 'q'.repeat(400) }] });
  entries.push({ id: 'long-prompt', conversations: [{ from: 'human', value: 'q'.repeat(4 * 1100) }, { from: 'gpt', value: 'a'.repeat(400) }] });
  entries.push({ id: 'short-answer', conversations: [{ from: 'human', value: 'q'.repeat(400) }, { from: 'gpt', value: 'ok' }] });
  const file = join(dir, 'ShareGPT_V3_small.json');
  writeFileSync(file, JSON.stringify(entries));
  return file;
}

test('fleetlab run --dataset-name sharegpt --dataset-path F --request-rate 8 --num-prompts N, then compare with a vLLM JSON', async (t) => {
  const dir = tempDir();
  const dataset = shareGptFile(dir);
  const { stdout, stderr } = await run(
    process.execPath,
    [bin, 'run', '--preset', 'llumnix-fig11/ShareGPT/llumnix', '--dataset-name', 'sharegpt', '--dataset-path', dataset, '--request-rate', '8', '--num-prompts', '60', '--no-progress'],
    { cwd: dir },
  );
  const name = 'fig11-ShareGPT-llumnix-8-num_requests=60-dataset.name=sharegpt-path=ShareGPT_V3_small.json';
  t.regex(stdout, new RegExp(`wrote results/${name.replace(/[.]/g, '\\.')}/`));
  // vLLM's ShareGPT filter: each invalid entry dropped and counted; 60 requests from 40 valid rows oversample 20.
  t.regex(stderr, /43 rows read, 40 kept; dropped: 1 over_max_prompt_tokens, 1 too_few_turns, 1 under_min_output_tokens; 20 requests oversampled/);
  const summary = JSON.parse(readFileSync(join(dir, 'results', name, 'summary.json'), 'utf8'));
  const b = summary.vllm_bench;
  t.is(b.completed, 60);
  for (const key of ['mean_ttft_ms', 'median_ttft_ms', 'p99_ttft_ms', 'std_ttft_ms', 'mean_tpot_ms', 'mean_itl_ms', 'p99_itl_ms', 'mean_e2el_ms', 'request_throughput', 'output_throughput', 'total_token_throughput']) {
    t.true(typeof b[key] === 'number' && b[key] > 0, key);
  }
  t.is(b.request_goodput, null);
  const config = JSON.parse(readFileSync(join(dir, 'results', name, 'config.json'), 'utf8'));
  t.deepEqual(config.workload.arrival, { kind: 'poisson', rate_per_s: 8 });

  const vllm = join(dir, 'vllm-8qps.json');
  writeFileSync(vllm, JSON.stringify({ model_id: 'm', duration: 10, completed: 60, mean_ttft_ms: 50, p99_ttft_ms: 90, mean_tpot_ms: 20, mean_e2el_ms: 900 }));
  const compared = await run(process.execPath, [bin, 'compare', join('results', name), vllm], { cwd: dir });
  t.regex(compared.stdout, new RegExp(`^metric\\s+${name.replace(/[.]/g, '\\.')}\\s+vllm-8qps\\n\\s+Llumnix\\s+vLLM bench m\\n`));
  t.regex(compared.stdout, /prefill latency mean \(s\)\s+\d+\.\d{3}\s+0\.050\n/);
});

test('vllm bench serve flags without --config or --preset simulate one vLLM v1 instance', async (t) => {
  const dir = tempDir();
  const dataset = shareGptFile(dir);
  const { stderr } = await run(
    process.execPath,
    [bin, 'run', '--dataset-name', 'sharegpt', '--dataset-path', dataset, '--request-rate', '8', '--num-prompts', '30', '--out', join(dir, 'r'), '--no-progress'],
    { cwd: dir },
  );
  t.regex(stderr, /no --config or --preset: simulating one vLLM v1 instance \(--preset single-gpu\/sharegpt\/vllm-v1\)/);
  const config = JSON.parse(readFileSync(join(dir, 'r', 'config.json'), 'utf8'));
  t.is(config.cluster.instances, 1);
  t.is(config.cluster.engine.kind, 'vllm-v1');
  t.is(JSON.parse(readFileSync(join(dir, 'r', 'summary.json'), 'utf8')).vllm_bench.completed, 30);
  // Without vLLM flags there is nothing to start from: the error says what to give.
  const error = await t.throwsAsync(run(process.execPath, [bin, 'run', '--no-progress'], { cwd: dir }));
  t.regex(String((error as { stderr?: string }).stderr), /give --config FILE or --preset NAME \(or vllm bench serve flags such as --dataset-name\)/);
});

test('fleetlab run prints how many requests were rejected at arrival and why', async (t) => {
  const dir = tempDir();
  // Prompts of 100–300 tokens on instances of 14 blocks (224 tokens): the longer ones never fit.
  const { stderr } = await run(
    process.execPath,
    [bin, 'run', '--preset', 'llumnix-fig11/M-M/llumnix', '--dataset-name', 'random', '--random-input-len', '200', '--random-output-len', '8', '--random-range-ratio', '0.5', '--num-prompts', '40', '--set', 'cluster.total_blocks=14', '--out', join(dir, 'r'), '--no-progress'],
    { cwd: dir },
  );
  const summary = JSON.parse(readFileSync(join(dir, 'r', 'summary.json'), 'utf8'));
  t.true(summary.rejected > 0 && summary.requests > 0, `${summary.rejected} rejected`);
  t.regex(stderr, new RegExp(`rejected: ${summary.rejected} of 40 requests \\(${summary.rejected} × needs # blocks / # prompt tokens, beyond one instance\\); each one is in .*requests\\.csv with its rejected_reason`));
});
