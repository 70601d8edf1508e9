// The "done when": `fleetlab run` in vLLM's vocabulary on a ShareGPT file writes vLLM's
// keys, and `compare` shows the run beside a `vllm bench serve` result JSON.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { bin, tempDir } from '../hostile/helpers.ts';

const run = promisify(execFile);

test('fleetlab run --dataset-name sharegpt --dataset-path F --request-rate 8 --num-prompts N, then compare with a vLLM JSON', async (t) => {
  const dir = tempDir();
  // A ShareGPT file of 40 conversations with prompts and answers of a few hundred characters.
  const lines = Array.from({ length: 40 }, (_, i) =>
    JSON.stringify({ id: `c${i}`, conversations: [{ from: 'human', value: 'q'.repeat(200 + 37 * i) }, { from: 'gpt', value: 'a'.repeat(120 + 11 * i) }] }),
  );
  const dataset = join(dir, 'sharegpt.jsonl');
  writeFileSync(dataset, `${lines.join('\n')}\n`);
  const { stdout } = await run(
    process.execPath,
    [bin, 'run', '--preset', 'llumnix-fig11/ShareGPT/llumnix', '--dataset-name', 'sharegpt', '--dataset-path', dataset, '--request-rate', '8', '--num-prompts', '60', '--no-progress'],
    { cwd: dir },
  );
  const name = 'fig11-ShareGPT-llumnix-8-num_requests=60-format=sharegpt-path=sharegpt.jsonl-max_total_tokens=2048-order=sample';
  t.regex(stdout, new RegExp(`wrote results/${name.replace(/[.]/g, '\\.')}/`));
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
  t.regex(stderr, new RegExp(`rejected at arrival: ${summary.rejected} of 40 requests \\(${summary.rejected} × needs # blocks / # prompt tokens, beyond one instance\\); each one is in .*requests\\.csv with its rejected_reason`));
});
