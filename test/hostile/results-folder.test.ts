import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { cleanStalePartials, MANIFEST, writeResults } from '../../metrics/index.ts';
import { parseRunConfig } from '../../sim/index.ts';
import { cli, cliProcess, deadPid, tempDir, tinyInput, tinyResult } from './helpers.ts';

// Issue 8 §1: `--out` deleted whatever was at the path. A run may now only create a folder, or
// replace (with --overwrite) one fleetlab wrote.

test('--out at a folder of the user\'s is refused and nothing in it is touched', (t) => {
  const root = tempDir();
  const d = join(root, 'd');
  mkdirSync(join(d, 'keep'), { recursive: true });
  writeFileSync(join(d, 'keep', 'f'), 'x');
  for (const overwrite of [false, true]) {
    const error = t.throws(() => writeResults(tinyResult().records, d, { overwrite }));
    t.regex(error.message, /refusing to write results to .*\/d: the folder exists and was not written by fleetlab.*--overwrite only replaces folders fleetlab wrote/);
  }
  t.is(readFileSync(join(d, 'keep', 'f'), 'utf8'), 'x');
  t.deepEqual(readdirSync(root), ['d']);
});

test('--out at a file is refused and the file kept', (t) => {
  const root = tempDir();
  const file = join(root, 'notes.txt');
  writeFileSync(file, 'mine');
  const error = t.throws(() => writeResults(tinyResult().records, file, { overwrite: true }));
  t.regex(error.message, /notes\.txt: it is a file, not a results folder/);
  t.is(readFileSync(file, 'utf8'), 'mine');
});

test('--out at a symbolic link is refused', (t) => {
  const root = tempDir();
  mkdirSync(join(root, 'real'));
  symlinkSync(join(root, 'real'), join(root, 'link'));
  t.throws(() => writeResults(tinyResult().records, join(root, 'link'), { overwrite: true }), { message: /symbolic link/ });
});

test('--out results (a folder holding other runs) is refused; results/quickstart survives', (t) => {
  const root = tempDir();
  const results = join(root, 'results');
  writeResults(tinyResult().records, join(results, 'quickstart'));
  t.throws(() => writeResults(tinyResult().records, results, { overwrite: true }), { message: /was not written by fleetlab/ });
  t.true(existsSync(join(results, 'quickstart', 'summary.json')));
});

test('--out "$PWD" and --out . are refused (working directory and its parents), leaving no partial folder', async (t) => {
  const root = tempDir();
  writeFileSync(join(root, 'mine.txt'), 'x');
  for (const out of ['.', root, join(root, '..')]) {
    const { code, stderr } = await cli(['run', '-p', 'llumnix-fig11/M-M/llumnix', '--set', 'workload.num_requests=20', '--out', out, '--overwrite', '--no-progress'], root);
    t.is(code, 1);
    t.regex(stderr, /refusing to write results to .*: it is the working directory or one of its parents/);
  }
  t.deepEqual(readdirSync(root), ['mine.txt']);
  t.false(readdirSync(join(root, '..')).some((e) => e.includes('.partial-')));
});

test('an earlier fleetlab results folder is refused without --overwrite, replaced with it', (t) => {
  const dir = join(tempDir(), 'run');
  writeResults(tinyResult({ seed: 1 }).records, dir);
  const before = readFileSync(join(dir, 'summary.json'), 'utf8');
  t.throws(() => writeResults(tinyResult({ seed: 2 }).records, dir), { message: /holds results of an earlier run; pass --overwrite/ });
  t.is(readFileSync(join(dir, 'summary.json'), 'utf8'), before);
  writeResults(tinyResult({ seed: 2 }).records, dir, { overwrite: true });
  t.is(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).seed, 2);
  t.true(existsSync(join(dir, MANIFEST)));
});

test('a results folder of an older fleetlab (no manifest, only result files) counts as fleetlab\'s', (t) => {
  const dir = join(tempDir(), 'old');
  writeResults(tinyResult().records, dir);
  // An older fleetlab wrote no manifest.
  renameSync(join(dir, MANIFEST), join(dir, '..', 'moved-manifest'));
  writeResults(tinyResult({ seed: 3 }).records, dir, { overwrite: true });
  t.is(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).seed, 3);
});

test('an empty folder may be written into', (t) => {
  const dir = join(tempDir(), 'empty');
  mkdirSync(dir);
  writeResults(tinyResult().records, dir);
  t.true(existsSync(join(dir, 'summary.json')));
});

test('name: ../keep, --set name=../x, absolute names and ".." are refused (cannot leave results/)', (t) => {
  for (const name of ['../keep', '../x', '/etc/x', '..', '.', 'a/b', 'a\\b', '']) {
    const error = t.throws(() => parseRunConfig({ ...tinyInput(), name }));
    t.regex(error.message, /Expected name /, name);
  }
  t.is(parseRunConfig({ ...tinyInput(), name: 'fig11-M-M-llumnix-7.5' }).name, 'fig11-M-M-llumnix-7.5');
});

test('fleetlab run --set name=../x exits 1 naming the field, and writes nothing', async (t) => {
  const root = tempDir();
  mkdirSync(join(root, 'x'));
  writeFileSync(join(root, 'x', 'f'), 'keep');
  const { code, stderr } = await cli(['run', '-p', 'llumnix-fig11/M-M/llumnix', '--set', 'workload.num_requests=20', '--set', 'name=../x', '--no-progress'], join(root));
  t.is(code, 1);
  t.regex(stderr, /Expected name to be a single folder name/);
  t.is(readFileSync(join(root, 'x', 'f'), 'utf8'), 'keep');
  t.false(existsSync(join(root, 'results')));
});

test('stale .NAME.partial-PID folders of dead processes are cleaned on the next write; others are kept', (t) => {
  const root = tempDir();
  const dead = deadPid();
  const stale = join(root, `.old.partial-${dead}`);
  mkdirSync(stale);
  writeFileSync(join(stale, 'summary.json'), '{"trunc');
  // A live process's staging folder (ours) and a user's folder that merely looks like one.
  const live = join(root, `.busy.partial-${process.pid}`);
  mkdirSync(live);
  const lookalike = join(root, `.mine.partial-${dead}`);
  mkdirSync(lookalike);
  writeFileSync(join(lookalike, 'thesis.tex'), 'x');
  writeResults(tinyResult().records, join(root, 'run'));
  t.false(existsSync(stale));
  t.true(existsSync(live));
  t.is(readFileSync(join(lookalike, 'thesis.tex'), 'utf8'), 'x');
});

test('a kill between the two renames loses nothing: the previous folder is put back', (t) => {
  const root = tempDir();
  const dir = join(root, 'run');
  writeResults(tinyResult({ seed: 5 }).records, dir);
  const summary = readFileSync(join(dir, 'summary.json'), 'utf8');
  // What a kill right after `rename(outDir, previous)` leaves behind.
  renameSync(dir, join(root, `.run.partial-${deadPid()}.previous`));
  cleanStalePartials(root);
  t.is(readFileSync(join(dir, 'summary.json'), 'utf8'), summary);
});

test('a process killed while writing leaves no folder under the real name', async (t) => {
  const root = tempDir();
  // SIGKILL soon after start: whatever stage it reached, `out` is absent or whole.
  const child = cliProcess(['run', '-p', 'llumnix-fig11/M-M/llumnix', '--set', 'workload.num_requests=3000', '--out', 'out', '--no-progress'], root);
  await new Promise((r) => setTimeout(r, 2500));
  if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  await child.done;
  const out = join(root, 'out');
  if (existsSync(out)) t.true(existsSync(join(out, MANIFEST)), 'a folder under the real name is whole');
  else t.pass();
  t.false(readdirSync(root).some((e) => e === 'out' && !existsSync(join(out, 'summary.json'))));
});
