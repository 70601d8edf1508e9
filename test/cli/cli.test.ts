import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';

const run = promisify(execFile);
const bin = new URL('../../bin/fleetlab.js', import.meta.url).pathname;

test('fleetlab run writes the results folder; fleetlab compare reads it back', async (t) => {
  const out = join(mkdtempSync(join(tmpdir(), 'fleetlab-cli-')), 'mm');
  const { stdout } = await run(process.execPath, [
    bin, 'run', '--preset', 'llumnix-fig11/M-M/llumnix', '--set', 'workload.num_requests=300', '--seed', '3', '--out', out,
  ]);
  t.regex(stdout, /request latency P99 \(s\)/);
  t.deepEqual(readdirSync(out).sort(), ['.fleetlab-results.json', 'config.json', 'instances.csv', 'migrations.csv', 'requests.csv', 'summary.json']);
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  t.is(summary.requests + summary.rejected, 300);
  t.is(summary.system, 'Llumnix');
  // One row per request, rejected ones included (with their reason).
  t.is(readFileSync(join(out, 'requests.csv'), 'utf8').trim().split('\n').length, summary.submitted + 1);
  const compared = await run(process.execPath, [bin, 'compare', out, out]);
  // The same run twice: columns are told apart by the path given; the system is the second header line.
  t.regex(compared.stdout, new RegExp(`^metric\\s+${out}\\s+${out}\\n\\s+Llumnix\\s+Llumnix\\n`));
});

test('a bad --set exits non-zero with a message naming the field', async (t) => {
  const error = await t.throwsAsync(
    run(process.execPath, [bin, 'run', '--preset', 'llumnix-fig11/M-M/llumnix', '--set', 'cluster.instances=-1', '--out', join(tmpdir(), 'never')]),
  );
  t.regex(String((error as { stderr?: string }).stderr), /Expected cluster\.instances > 0, received -1/);
});

test('quickstart reproduces the paper ordering on M-M at 7.5 req/s: Llumnix < INFaaS++ < Round-Robin', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'fleetlab-quick-'));
  await run(process.execPath, [bin, 'quickstart', '--out', out], { maxBuffer: 1 << 22 });
  const read = (system: string) => JSON.parse(readFileSync(join(out, `fig11-M-M-${system}-7.5`, 'summary.json'), 'utf8'));
  const [rr, infaas, llumnix] = ['round-robin', 'infaas++', 'llumnix'].map(read);
  // Prefill P99 between Llumnix and INFaaS++ at one seed near the knee is noise (README); the mean is the ordering.
  t.true(llumnix.prefill_latency_s.mean < infaas.prefill_latency_s.mean, 'prefill mean: Llumnix vs INFaaS++');
  t.true(infaas.prefill_latency_s.p99 < rr.prefill_latency_s.p99, 'prefill P99: INFaaS++ vs Round-Robin');
  t.true(llumnix.preemption_loss_s < infaas.preemption_loss_s, 'preemption loss: Llumnix vs INFaaS++');
  t.true(infaas.preemption_loss_s < rr.preemption_loss_s, 'preemption loss: INFaaS++ vs Round-Robin');
  t.true(llumnix.migrations.committed > 0);
});
