import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { findPreset } from '../../artifact/presets.ts';
import { writeResults } from '../../metrics/index.ts';
import { parseRunConfig, simulate } from '../../sim/index.ts';

function run(seed: number, dir: string, overwrite = false): string {
  const raw = findPreset('llumnix-fig11/M-M/llumnix');
  const config = parseRunConfig({ ...raw, seed, workload: { ...raw.workload, num_requests: 2000 } });
  writeResults(simulate(config).records, dir, { overwrite });
  return readFileSync(join(dir, 'summary.json'), 'utf8');
}

test('same seed → byte-identical summary.json and requests.csv; another seed → different', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'fleetlab-det-'));
  const a = run(7, join(root, 'a'));
  const b = run(7, join(root, 'b'));
  const c = run(8, join(root, 'c'));
  t.is(a, b);
  t.is(readFileSync(join(root, 'a', 'requests.csv'), 'utf8'), readFileSync(join(root, 'b', 'requests.csv'), 'utf8'));
  t.not(a, c);
  t.true(JSON.parse(a).migrations.started > 0);
});

test('rewriting a results folder replaces it whole (with overwrite; refused without)', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'fleetlab-rewrite-'));
  const dir = join(root, 'run');
  run(1, dir);
  t.throws(() => run(2, dir), { message: /holds results of an earlier run; pass --overwrite/ });
  const second = run(2, dir, true);
  t.is(readFileSync(join(dir, 'summary.json'), 'utf8'), second);
  t.is(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).seed, 2);
});
