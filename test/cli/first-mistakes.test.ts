// The mistakes a new user makes first (a misspelt trace or preset, a rate with a typo, a sweep
// file that is missing or malformed): each must stop the command before it writes anything, with
// a message naming the option or field, the value given and what was expected.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { readFleetConfig } from '../../backend/manager/fleet-config.ts';
import { readServerlessNodesConfig } from '../../backend/serverless/serverless-config.ts';
import { loadRunConfig } from '../../cli/load-config.ts';

const run = promisify(execFile);
const bin = new URL('../../bin/fleetlab.js', import.meta.url).pathname;

/** Runs fleetlab with `args`, expects a non-zero exit, and returns its stderr. */
async function failure(t: { throwsAsync: (p: Promise<unknown>) => Promise<unknown> }, args: string[]): Promise<string> {
  const error = await t.throwsAsync(run(process.execPath, [bin, ...args]));
  return String((error as { stderr?: string }).stderr);
}

test('quickstart --trace with the wrong spelling names the flag, the value, the labels and the nearest one', async (t) => {
  const out = join(mkdtempSync(join(tmpdir(), 'fleetlab-first-')), 'q');
  const stderr = await failure(t, ['quickstart', '--trace', 'MM', '--requests', '50', '--out', out]);
  t.regex(stderr, /--trace <label>.*expected one of ShareGPT \| BurstGPT \| S-S \| M-M \| L-L \| S-L \| L-S, received "MM" \(did you mean M-M\?\)/);
  t.false(existsSync(out));
});

test('quickstart --rate refuses a number with trailing letters instead of running at its prefix', async (t) => {
  const out = join(mkdtempSync(join(tmpdir(), 'fleetlab-first-')), 'q');
  const stderr = await failure(t, ['quickstart', '--rate', '8x', '--requests', '50', '--out', out]);
  t.regex(stderr, /--rate <req\/s>.*expected a number > 0, received "8x"/);
  t.false(existsSync(out));
});

test('quickstart --requests 0 is refused as a flag, not as a preset field', async (t) => {
  const stderr = await failure(t, ['quickstart', '--requests', '0', '--out', join(tmpdir(), 'never-fleetlab-first')]);
  t.regex(stderr, /--requests <n>.*expected a positive integer, received "0"/);
});

test('a sweep file that does not exist is named with what was expected, not as a raw ENOENT', async (t) => {
  const out = join(mkdtempSync(join(tmpdir(), 'fleetlab-first-')), 's');
  const stderr = await failure(t, ['sweep', 'no-such-sweep.yaml', '-o', out]);
  t.regex(stderr, /Expected sweep file to be a readable JSON or YAML file \(no such file\), received "no-such-sweep\.yaml"/);
  t.false(existsSync(out));
});

test('a sweep file with a YAML syntax error names the line, the column and the line itself', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetlab-first-'));
  const file = join(dir, 'broken.yaml');
  writeFileSync(file, 'name: s\npoints:\n  - id: a\n    config: { preset: llumnix-fig11/M-M/llumnix\n');
  const stderr = await failure(t, ['sweep', file, '-o', join(dir, 's')]);
  t.regex(stderr, /broken\.yaml: Expected \(file\) to be valid JSON or YAML \(line 5, column 1: Flow map .*\), received " {4}config: \{ preset: llumnix-fig11\/M-M\/llumnix"/);
  t.false(existsSync(join(dir, 's')));
});

test('a sweep point extending a misspelt preset names the file, the point and the nearest preset', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetlab-first-'));
  const file = join(dir, 'typo.yaml');
  writeFileSync(file, 'name: s\npoints:\n  - id: mm-rr\n    config: { preset: llumnix-fig11/MM/round-robin }\n');
  const stderr = await failure(t, ['sweep', file, '-o', join(dir, 's')]);
  t.regex(stderr, /typo\.yaml: points\.mm-rr\.config: Expected preset to be one of .*\(did you mean llumnix-fig11\/M-M\/round-robin\?\), received "llumnix-fig11\/MM\/round-robin"/);
  t.false(existsSync(join(dir, 's')));
});

test('a run config with a syntax error names the line and column (JSON: from the parser\'s offset)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetlab-first-'));
  writeFileSync(join(dir, 'c.yaml'), 'preset: llumnix-fig11/M-M/llumnix\nworkload: { num_requests: 100\n');
  writeFileSync(join(dir, 'c.json'), '{"preset": "llumnix-fig11/M-M/llumnix",\n "seed" 2}');
  t.throws(() => loadRunConfig({ config: join(dir, 'c.yaml') }), {
    message: /c\.yaml: Expected \(file\) to be valid JSON or YAML \(line 3, column 1: .*\), received "workload: \{ num_requests: 100"$/,
  });
  t.throws(() => loadRunConfig({ config: join(dir, 'c.json') }), {
    message: /c\.json: Expected \(file\) to be valid JSON or YAML \(line 2, column 9: Unexpected number\), received " \\"seed\\" 2\}"$/,
  });
});

test('a misspelt or miscased preset gets the nearest name; one named in a config file is reported with the file', (t) => {
  t.throws(() => loadRunConfig({ preset: 'llumnix-fig11/sharegpt/llumnix' }), { message: /\(did you mean llumnix-fig11\/ShareGPT\/llumnix\?\), received "llumnix-fig11\/sharegpt\/llumnix"$/ });
  t.throws(() => loadRunConfig({ preset: 'llumnix-fig11/ShareGPT/llumnx' }), { message: /\(did you mean llumnix-fig11\/ShareGPT\/llumnix\?\)/ });
  t.throws(() => loadRunConfig({ preset: 'nothing-like-it' }), { message: /single-gpu\/sharegpt\/vllm-v0, received "nothing-like-it"$/ });
  const dir = mkdtempSync(join(tmpdir(), 'fleetlab-first-'));
  writeFileSync(join(dir, 'p.yaml'), 'preset: llumnix-fig11/MM/llumnix\n');
  t.throws(() => loadRunConfig({ config: join(dir, 'p.yaml') }), { message: /p\.yaml: Expected preset to be one of .*\(did you mean llumnix-fig11\/M-M\/llumnix\?\)/ });
});

test('serve on a port already in use says so, naming --port, and exits (its instance processes stopped) instead of hanging', async (t) => {
  const busy = createServer();
  await new Promise<void>((done) => busy.listen(0, '127.0.0.1', done));
  const { port } = busy.address() as AddressInfo;
  try {
    // Before: the error was printed but the started instances kept the command alive until Ctrl-C (the timeout here).
    const error = await t.throwsAsync(run(process.execPath, [bin, 'serve', '--instances', '1', '--port', String(port)], { timeout: 120_000 }));
    const { stderr, killed } = error as { stderr?: string; killed?: boolean };
    t.false(killed, 'exited on its own');
    t.regex(String(stderr), new RegExp(`--port ${port}: 127\\.0\\.0\\.1:${port} is already in use .*--port 0 for any free one`));
  } finally {
    busy.close();
  }
});

test('--preset that contradicts the config file\'s own preset is refused, not silently swapped under the file\'s fields', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetlab-first-'));
  const file = join(dir, 'mm.yaml');
  writeFileSync(file, 'preset: llumnix-fig11/M-M/llumnix\nscheduler:\n  dispatch: { kind: load }\n');
  // Was: a ShareGPT Round-Robin run labelled Round-Robin, with the file's load dispatch on top.
  t.throws(() => loadRunConfig({ config: file, preset: 'llumnix-fig11/ShareGPT/round-robin' }), {
    message: /mm\.yaml: Expected --preset to be absent or the config file's own preset llumnix-fig11\/M-M\/llumnix \(the file extends that one\), received "llumnix-fig11\/ShareGPT\/round-robin"$/,
  });
  t.is(loadRunConfig({ config: file, preset: 'llumnix-fig11/M-M/llumnix' }).config.system, 'Llumnix');
  // A file without a preset still extends the one given on the command line.
  writeFileSync(join(dir, 'plain.yaml'), 'scheduler:\n  dispatch: { kind: load }\n');
  t.is(loadRunConfig({ config: join(dir, 'plain.yaml'), preset: 'llumnix-fig11/ShareGPT/round-robin' }).config.scheduler.dispatch.kind, 'load');
});

test('serve\'s fleet and nodes files: a missing file names the flag, a syntax error the line (was a raw ENOENT / the parser\'s multi-line message)', (t) => {
  t.throws(() => readFleetConfig('no-such-fleet.yaml'), { message: /^Expected --config to be a readable JSON or YAML file \(no such file\), received "no-such-fleet\.yaml"$/ });
  t.throws(() => readServerlessNodesConfig('no-such-nodes.yaml'), { message: /^Expected --serverless to be a readable JSON or YAML file \(no such file\), received "no-such-nodes\.yaml"$/ });
  const file = join(mkdtempSync(join(tmpdir(), 'fleetlab-first-')), 'fleet.yaml');
  writeFileSync(file, 'model: tiny\nengine: { kind: vllm-v1\n');
  t.throws(() => readFleetConfig(file), { message: /fleet\.yaml: Expected \(file\) to be valid JSON or YAML \(line 3, column 1: .*\), received "engine: \{ kind: vllm-v1"$/ });
});

test('deploy --config with a file that is not there names the flag before contacting any server (was a raw ENOENT)', async (t) => {
  const stderr = await failure(t, ['deploy', '--config', 'no-such-deploy.json', '--url', 'http://127.0.0.1:1']);
  t.regex(stderr, /Expected --config to be a readable JSON or YAML file \(no such file\), received "no-such-deploy\.json"/);
});
