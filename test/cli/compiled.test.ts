// The compiled CLI (scripts/build.mjs → dist/): it writes the same results as the sources, its
// worker threads and data files work from the compiled tree, and the launcher uses it only
// while no source changed since the build.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { stringify } from 'yaml';
import { codeState, freshEntry, SOURCE_DIRS, STAMP } from '../../scripts/compiled-tree.mjs';
import { writeResults } from '../../metrics/index.ts';
import { parseRunConfig, simulate } from '../../sim/index.ts';
import { findPreset } from '../../artifact/presets.ts';
import { runSweep } from '../../sweep/index.ts';
import { tempDir } from '../hostile/helpers.ts';
import { tinySweep } from '../sweep/helpers.ts';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
// Inside the repository (the ignored .tmp/), so the compiled modules find node_modules as dist/ does.
const out = join(root, '.tmp', `dist-test-${process.pid}`);

test.before(async () => {
  await run(process.execPath, [join(root, 'scripts', 'build.mjs'), out]);
});
test.after.always(() => rmSync(out, { recursive: true, force: true }));

test('the compiled CLI writes byte-identical results to the sources, and reads shipped data through its links', async (t) => {
  const dir = tempDir();
  const main = freshEntry(out);
  t.is(main, join(out, 'cli', 'main.js'));
  const { stdout } = await run(process.execPath, [main as string, '--version']);
  t.is(stdout.trim(), JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
  // builtin:sharegpt is a file under traces/data, found from dist/ through the build's links.
  await run(process.execPath, [main as string, 'run', '--preset', 'llumnix-fig11/ShareGPT/llumnix', '--dataset-name', 'sharegpt', '--num-prompts', '150', '--out', join(dir, 'compiled'), '--no-progress']);
  const raw = { ...findPreset('llumnix-fig11/ShareGPT/llumnix'), name: 'x' } as Record<string, unknown>;
  const config = parseRunConfig({ ...raw, workload: { ...(raw.workload as object), num_requests: 150, lengths: { paired: { trace: 'builtin:sharegpt', order: 'sample' } } } });
  writeResults(simulate(config).records, join(dir, 'source'));
  for (const file of ['summary.json', 'requests.csv', 'instances.csv']) {
    const a = readFileSync(join(dir, 'compiled', file), 'utf8');
    const b = readFileSync(join(dir, 'source', file), 'utf8');
    t.is(file === 'summary.json' ? a.replace(/"name": "[^"]*"/, '') : a, file === 'summary.json' ? b.replace(/"name": "[^"]*"/, '') : b, file);
  }
});

test('a sweep on two worker threads of the compiled tree gives the results of one thread from the sources', async (t) => {
  const dir = tempDir();
  const sweep = tinySweep(60);
  const file = join(dir, 'tiny.yaml');
  writeFileSync(file, stringify({ name: sweep.name, base_seed: sweep.base_seed, points: sweep.points }));
  await run(process.execPath, [join(out, 'cli', 'main.js'), 'sweep', file, '-j', '2', '--out', join(dir, 'compiled'), '--no-progress']);
  await runSweep(sweep, { out: join(dir, 'source'), workers: 1 });
  for (const p of sweep.points) {
    t.is(readFileSync(join(dir, 'compiled', 'points', p.id, 'requests.csv'), 'utf8'), readFileSync(join(dir, 'source', 'points', p.id, 'requests.csv'), 'utf8'), p.id);
  }
});

test('freshEntry: a build is used until a source file is added or modified', (t) => {
  const fake = tempDir();
  for (const d of SOURCE_DIRS) {
    mkdirSync(join(fake, d));
    writeFileSync(join(fake, d, 'a.ts'), '');
  }
  const build = join(fake, 'dist');
  mkdirSync(build);
  t.is(freshEntry(build, fake), undefined, 'no stamp: no build');
  writeFileSync(join(build, STAMP), JSON.stringify(codeState(fake)));
  t.is(freshEntry(build, fake), join(build, 'cli', 'main.js'));
  const later = new Date(Date.now() + 60_000);
  utimesSync(join(fake, 'sim', 'a.ts'), later, later);
  t.is(freshEntry(build, fake), undefined, 'a modified source');
  writeFileSync(join(build, STAMP), JSON.stringify(codeState(fake)));
  writeFileSync(join(fake, 'traces', 'new.csv'), 'x');
  t.is(freshEntry(build, fake), undefined, 'a new file');
});
