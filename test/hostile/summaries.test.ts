import { spawnSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { loadRunConfig } from '../../cli/load-config.ts';
import { applyOverrides, mergeConfig } from '../../cli/overrides.ts';
import { ConfigError, showValue } from '../../config/index.ts';
import { summarize } from '../../metrics/index.ts';
import { parseRunConfig, simulate } from '../../sim/index.ts';
import { cli, tempDir, tinyInput } from './helpers.ts';

// Issue 8 §5 and §6: silently wrong results and misleading messages.

test('every request rejected: exit status 2, a loud message, CSVs with headers', async (t) => {
  const root = tempDir();
  const { code, stderr } = await cli(
    ['run', '-p', 'llumnix-fig11/M-M/llumnix', '--set', 'workload.num_requests=30', '--set', 'cluster.max_num_batched_tokens=1', '--out', 'out', '--no-progress'],
    root,
  );
  t.is(code, 2);
  t.regex(stderr, /NO REQUEST FINISHED.*30 submitted, 30 rejected/);
  t.is(readFileSync(join(root, 'out', 'requests.csv'), 'utf8').split('\n')[0]?.split(',')[0], 'request_id');
  t.is(readFileSync(join(root, 'out', 'migrations.csv'), 'utf8').split('\n')[0]?.split(',')[0], 'id');
  t.is(JSON.parse(readFileSync(join(root, 'out', 'summary.json'), 'utf8')).requests, 0);
});

test('total_blocks: 2 reports no negative preemption loss', (t) => {
  const config = parseRunConfig({ ...tinyInput(), cluster: { instances: 2, total_blocks: 2 } });
  const { summary, rows } = summarize(simulate(config).records);
  t.true(summary.preemptions > 0, 'the tiny cache does preempt');
  t.true(summary.preemption_loss_s >= 0);
  t.true(rows.every((r) => r.preemption_loss_s >= 0));
});

test('instances above scheduler.scaling.max_instances is refused', (t) => {
  const input = { ...tinyInput(), cluster: { instances: 20 }, scheduler: { dispatch: { kind: 'load' }, scaling: { kind: 'avg_load', max_instances: 8 } } };
  t.throws(() => parseRunConfig(input), { message: /Expected cluster\.instances to be at most scheduler\.scaling\.max_instances \(8\), received 20/ });
});

test('preset: 42 is refused, not ignored', (t) => {
  const dir = tempDir();
  writeFileSync(join(dir, 'c.yaml'), 'preset: 42\nname: x\n');
  t.throws(() => loadRunConfig({ config: join(dir, 'c.yaml') }), { message: /Expected preset to be a preset name \(a string.*received 42/ });
});

test('--seed "" and --seed " " are refused, not read as 0', async (t) => {
  const root = tempDir();
  for (const seed of ['', ' ', '1.5', '-1', '1e400']) {
    const { code, stderr } = await cli(['run', '-p', 'llumnix-fig11/M-M/llumnix', '--seed', seed, '--out', 'o'], root);
    t.is(code, 1, seed);
    t.regex(stderr, /expected a non-negative integer/);
  }
});

test('--set __proto__/constructor/prototype is refused and Object.prototype stays clean', (t) => {
  for (const set of ['__proto__.polluted=1', 'constructor.prototype.polluted=1', 'workload.__proto__.polluted=1', 'a..b=1']) {
    t.throws(() => applyOverrides({}, [set]), { instanceOf: ConfigError, message: /refused/ });
  }
  t.is(({} as Record<string, unknown>).polluted, undefined);
  const hostile = JSON.parse('{"__proto__": {"polluted": 1}}') as Record<string, unknown>;
  t.throws(() => mergeConfig({}, hostile), { message: /__proto__/ });
  t.is(({} as Record<string, unknown>).polluted, undefined);
});

test('NaN and Infinity are named as such in errors, not "received null"', (t) => {
  t.is(showValue(Number.NaN), 'NaN');
  t.is(showValue(Number.POSITIVE_INFINITY), 'Infinity');
  t.is(showValue({ a: Number.NEGATIVE_INFINITY }), '{"a":"-Infinity"}');
  const error = t.throws(() => parseRunConfig({ ...tinyInput(), metrics: { sample_interval_s: Number.POSITIVE_INFINITY } }));
  t.notRegex(error.message, /received null/);
  t.regex(error.message, /Infinity/);
  const nan = t.throws(() => parseRunConfig({ ...tinyInput(), seed: Number.NaN }));
  t.regex(nan.message, /received NaN/);
});

test('no message says "to be to be"', (t) => {
  const error = t.throws(() => parseRunConfig({ ...tinyInput(), scheduler: { dispatch: { kind: 'load' }, pairing: { kind: 'defrag' } } }));
  t.notRegex(error.message, /to be to be/);
  t.regex(error.message, /to be set when pairing is set/);
});

test('a symbolic link loop as --config is reported as such; a FIFO is refused without blocking', (t) => {
  const dir = tempDir();
  symlinkSync(join(dir, 'b.yaml'), join(dir, 'a.yaml'));
  symlinkSync(join(dir, 'a.yaml'), join(dir, 'b.yaml'));
  t.throws(() => loadRunConfig({ config: join(dir, 'a.yaml') }), { message: /symbolic link loop/ });
  t.throws(() => loadRunConfig({ config: join(dir, 'missing.yaml') }), { message: /no such file/ });
  const fifo = join(dir, 'fifo.yaml');
  if (spawnSync('mkfifo', [fifo]).status !== 0) return void t.log('mkfifo unavailable: FIFO case not run');
  t.throws(() => loadRunConfig({ config: fifo }), { message: /a regular JSON or YAML file \(not a folder, FIFO or device\)/ });
});
