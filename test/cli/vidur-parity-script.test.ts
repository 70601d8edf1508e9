// scripts/vidur-parity.py (docs/vidur-parity.md) without Vidur: its comparison on result folders
// written here in Vidur's and fleetlab's formats, and its export of Vidur's prediction tables
// into profile files that fleetlab's `perf: {kind: vidur}` reads.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { vidurPerfModel } from '../../sim/perf/vidur.ts';
import { tempDir } from '../hostile/helpers.ts';

const run = promisify(execFile);
const script = new URL('../../scripts/vidur-parity.py', import.meta.url).pathname;

const csv = (rows: (string | number)[][]): string => `${rows.map((r) => r.join(',')).join('\n')}\n`;

/** 50 requests and their steps, as Vidur writes them and as fleetlab does; `slower` scales fleetlab's TTFT. */
function results(dir: string, slower = 1): { vidur: string; fleetlab: string } {
  const vidur = join(dir, 'vidur');
  const fleetlab = join(dir, 'fleetlab');
  mkdirSync(vidur);
  mkdirSync(fleetlab);
  const requests = Array.from({ length: 50 }, (_, i) => ({ ttft: 0.1 + i * 0.01, e2e: 2 + i * 0.1, output: 5 + (i % 7) }));
  writeFileSync(join(vidur, 'request_metrics.csv'), csv([
    ['Request Id', 'request_e2e_time', 'prefill_e2e_time', 'request_num_decode_tokens'],
    ...requests.map((r, i) => [i, r.e2e, r.ttft, `${r.output}.0`]),
  ]));
  writeFileSync(join(fleetlab, 'requests.csv'), csv([
    ['request_id', 'request_latency_s', 'prefill_latency_s', 'output_tokens', 'rejected_reason'],
    ...requests.map((r, i) => [i, r.e2e, r.ttft * slower, r.output, '']),
  ]));
  // Prefill steps of 1–2 prompts, decode steps of 1–12 sequences.
  const steps = Array.from({ length: 80 }, (_, i) => (i % 5 === 0 ? { prefill: 1 + (i % 2), tokens: 300 + i, decode: 0 } : { prefill: 0, tokens: 0, decode: 1 + (i % 12) }));
  writeFileSync(join(vidur, 'batch_metrics.csv'), csv([
    ['Batch Id', 'batch_num_tokens', 'batch_num_prefill_tokens', 'batch_num_decode_tokens', 'batch_size'],
    ...steps.map((s, i) => [i, s.tokens + s.decode, s.tokens, s.decode, s.prefill + s.decode]),
  ]));
  writeFileSync(join(fleetlab, 'steps.csv'), csv([
    ['start_s', 'instance', 'duration_s', 'prefill_seqs', 'prefill_tokens', 'decode_seqs', 'context_tokens', 'preemptions'],
    ...steps.map((s, i) => [i, 0, 0.05, s.prefill, s.tokens, s.decode, 100, 0]),
  ]));
  return { vidur, fleetlab };
}

test('equal distributions pass; a 10 % slower TTFT fails, named, with exit status 1', async (t) => {
  const same = results(tempDir());
  const { stdout } = await run('python3', [script, '--vidur-out', same.vidur, '--fleetlab-out', same.fleetlab, '--out', join(tempDir(), 'out')]);
  t.regex(stdout, /\| ttft_s \| p90 \| 0\.541 \| 0\.541 \| \+0\.0 % \|/);
  t.regex(stdout, /outside the tolerance \(3\.0 %\): none/);

  const slow = results(tempDir(), 1.1);
  const error = await t.throwsAsync(run('python3', [script, '--vidur-out', slow.vidur, '--fleetlab-out', slow.fleetlab, '--out', join(tempDir(), 'out')]));
  t.is((error as { code?: number }).code, 1);
  t.regex(String((error as { stdout?: string }).stdout), /outside the tolerance \(3\.0 %\): fleetlab: ttft_s mean, fleetlab: ttft_s p50, fleetlab: ttft_s p90, fleetlab: ttft_s p99\n/);
});

test("Vidur's prediction tables become profiles fleetlab prices steps from, exactly", async (t) => {
  const cache = tempDir();
  const tag = '0badc0de';
  const ops = ['input_layernorm', 'attn_pre_proj', 'attn_rope', 'attn_post_proj', 'post_attention_layernorm', 'mlp_up_proj', 'mlp_act', 'mlp_down_proj', 'add', 'all_reduce'];
  for (const [i, op] of ops.entries()) {
    writeFileSync(join(cache, `${op}_${tag}_predictions.csv`), csv([['num_tokens', 'prediction'], ...[8, 16, 24].map((n) => [n, (i + 1) * 0.001 * n])]));
  }
  writeFileSync(join(cache, `attn_decode_${tag}_predictions.csv`), csv([['batch_size', 'kv_cache_size', 'prediction'], [1, 0, 0.01], [1, 64, 0.02], [2, 0, 0.03], [2, 64, 0.04]]));
  // Vidur keys prefill attention by the chunk squared.
  writeFileSync(join(cache, `attn_prefill_${tag}_predictions.csv`), csv([['kv_cache_size', 'prefill_chunk_size_squared', 'prediction'], [0, 64, 0.5], [0, 256, 0.7], [64, 64, 0.6], [64, 256, 0.8]]));
  const out = tempDir();
  const code = `import importlib.util, pathlib, sys
spec = importlib.util.spec_from_file_location('parity', sys.argv[1]); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
m.export_vidur_tables(pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3]))`;
  await run('python3', ['-c', code, script, cache, out]);
  const model = vidurPerfModel('tables', {
    mlp: join(out, 'mlp.csv'), attention: join(out, 'attention.csv'), all_reduce: join(out, 'all_reduce.csv'),
    tp: 2, layers: 80, kv_heads: 8, head_dim: 128, statistic: 'median', kv_granularity_tokens: 64, attention_batching_overhead_fraction: 0.1, nccl_launch_overhead_ms: 0.02,
  });
  // Two decodes at 40 tokens of context each: 8 tokens (rounded), decode attention at (2, 64) × 1.1.
  const tokenOps = [1, 2, 3, 4, 5, 6, 7, 8, 9].reduce((sum, k) => sum + k * 0.001 * 8, 0);
  const allReduce = 10 * 0.001 * 8;
  t.true(Math.abs(model.decode_ms(2, 80) - 80 * (tokenOps + 0.04 * 1.1 + 2 * (allReduce + 0.02))) < 1e-9);
  // One 16-token prompt: prefill attention at (chunk 16, kv 0).
  const ops16 = [1, 2, 3, 4, 5, 6, 7, 8, 9].reduce((sum, k) => sum + k * 0.001 * 16, 0);
  t.true(Math.abs(model.prefill_ms([16]) - 80 * (ops16 + 0.7 + 2 * (10 * 0.001 * 16 + 0.02))) < 1e-9);
});
