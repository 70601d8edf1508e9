import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { runSweep } from '../../sweep/index.ts';
import { tempDir as sweepDir, tinySweep } from '../sweep/helpers.ts';
import { cli, tempDir } from './helpers.ts';

// Issue 8 §1 and §5 for sweeps: names escaping results/sweeps, damaged points counted finished.

test('a sweep named ../.. is refused and writes nothing outside results/sweeps', async (t) => {
  const root = tempDir();
  writeFileSync(
    join(root, 's.yaml'),
    'name: ../..\npoints:\n  - id: a\n    config: {preset: llumnix-fig11/M-M/llumnix, workload: {num_requests: 10}}\n',
  );
  const { code, stderr } = await cli(['sweep', 's.yaml', '-j', '1', '--no-progress'], root);
  t.is(code, 1);
  t.regex(stderr, /name: .*single folder name|"\.\." /);
  t.false(existsSync(join(root, 'results')));
});

test('a sweep point config with preset: 42 is refused', async (t) => {
  const root = tempDir();
  writeFileSync(join(root, 's.yaml'), 'points:\n  - id: a\n    config: {preset: 42}\n');
  const { code, stderr } = await cli(['sweep', 's.yaml', '-j', '1', '--no-progress'], root);
  t.is(code, 1);
  t.regex(stderr, /preset: expected a preset name \(a string\), received 42/);
});

test('point ids "." and ".." are refused (they would name the points folder or the sweep root)', async (t) => {
  const sweep = tinySweep(10);
  for (const id of ['.', '..']) {
    await t.throwsAsync(runSweep({ ...sweep, points: [{ ...sweep.points[0]!, id }] }, { out: sweepDir(), workers: 1 }), { message: /must match .* and not be "\." or "\.\."/ });
  }
});

test('a sweep --out at a user\'s non-empty folder is refused; the folder is untouched', async (t) => {
  const out = sweepDir();
  writeFileSync(join(out, 'thesis.tex'), 'x');
  await t.throwsAsync(runSweep(tinySweep(10), { out, workers: 1 }), { message: /holds no sweep\.json/ });
  t.false(existsSync(join(out, 'points')));
  t.is(readFileSync(join(out, 'thesis.tex'), 'utf8'), 'x');
});

test('an emptied requests.csv or a truncated summary.json makes the point run again (no SyntaxError)', async (t) => {
  const sweep = tinySweep(30);
  const out = sweepDir();
  await runSweep(sweep, { out, workers: 1 });
  writeFileSync(join(out, 'points', 'r2-llumnix', 'requests.csv'), '');
  const summary = join(out, 'points', 'r4-infaas++', 'summary.json');
  writeFileSync(summary, readFileSync(summary, 'utf8').slice(0, 40));
  const again = await runSweep(sweep, { out, workers: 1 });
  t.deepEqual(again.filter((o) => o.status === 'ran').map((o) => o.point.id).sort(), ['r2-llumnix', 'r4-infaas++']);
  t.true(readFileSync(join(out, 'points', 'r2-llumnix', 'requests.csv'), 'utf8').length > 100);
  t.notThrows(() => JSON.parse(readFileSync(summary, 'utf8')));
});

test('a point folder that is not fleetlab\'s is refused, not replaced', async (t) => {
  const sweep = tinySweep(10);
  const out = sweepDir();
  await runSweep(sweep, { out, workers: 1 });
  const point = join(out, 'points', 'r2-llumnix');
  // Someone keeps notes in a point folder and the config changes: the re-run must not delete them.
  writeFileSync(join(point, 'notes.md'), 'mine');
  writeFileSync(join(point, 'config.json'), '{}\n');
  await t.throwsAsync(runSweep(sweep, { out, workers: 1 }), { message: /r2-llumnix.*holds files fleetlab did not write \(notes\.md\)/s });
  t.is(readFileSync(join(point, 'notes.md'), 'utf8'), 'mine');
});
