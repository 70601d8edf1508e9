import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { loadRunConfig } from '../../cli/load-config.ts';
import { ConfigError, parseRunConfig } from '../../sim/index.ts';

const valid = {
  scheduler: { dispatch: { kind: 'load' } },
  workload: {
    num_requests: 10,
    arrival: { kind: 'poisson', rate_per_s: 1 },
    lengths: { prompt: { kind: 'fixed', tokens: 10 }, output: { kind: 'fixed', tokens: 10 } },
  },
};

test('defaults fill a minimal config (the Llumnix A10 instance)', (t) => {
  const config = parseRunConfig(valid);
  t.is(config.cluster.total_blocks, 792);
  t.is(config.cluster.instances, 16);
  t.is(config.model.perf.kind, 'fitted');
  t.is(config.migration.max_stages, 3);
});

const broken: [string, unknown, RegExp][] = [
  ['a negative rate', { ...valid, workload: { ...valid.workload, arrival: { kind: 'poisson', rate_per_s: -2 } } }, /Expected workload\.arrival\.rate_per_s > 0, received -2/],
  ['an unknown arrival kind', { ...valid, workload: { ...valid.workload, arrival: { kind: 'weibull' } } }, /workload\.arrival\.kind.*received "weibull"/],
  ['a fractional instance count', { ...valid, cluster: { instances: 1.5 } }, /Expected cluster\.instances to be an integer, received 1\.5/],
  ['an unknown field', { ...valid, clsuter: {} }, /clsuter/],
  ['a missing scheduler', { workload: valid.workload }, /Expected scheduler to be present \(a required object\), received nothing/],
  ['a half-configured migration', { ...valid, scheduler: { dispatch: { kind: 'load' }, pairing: { kind: 'defrag' } } }, /scheduler\.(selector|trigger)/],
];

for (const [what, input, message] of broken) {
  test(`a config with ${what} is refused naming field, value and expectation`, (t) => {
    const error = t.throws(() => parseRunConfig(input, 'exp.yaml'));
    t.true(error instanceof ConfigError, String(error));
    t.regex(error?.message ?? '', /^exp\.yaml: Expected /);
    t.regex(error?.message ?? '', message);
  });
}

test('YAML config files load, extend a preset, and take --set overrides', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetlab-config-'));
  const file = join(dir, 'exp.yaml');
  writeFileSync(file, 'preset: llumnix-fig11/S-S/llumnix\nname: mine\ncluster:\n  instances: 4\n');
  const { config, baseDir } = loadRunConfig({ config: file, set: ['workload.arrival.rate_per_s=3.5'], seed: 9 });
  // A named config run with changed values carries them in its name (its results folder).
  t.is(config.name, 'mine-seed=9-rate_per_s=3.5');
  t.is(config.cluster.instances, 4);
  t.is(config.cluster.max_num_batched_tokens, 12800);
  t.deepEqual(config.workload.arrival, { kind: 'poisson', rate_per_s: 3.5 });
  t.is(config.seed, 9);
  t.is(baseDir, dir);
});

test('a malformed YAML file and an unknown preset are named in the error', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetlab-config-'));
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, 'cluster: [unclosed\n');
  t.throws(() => loadRunConfig({ config: file }), { message: new RegExp(`^${file.replace(/[.]/g, '\\.')}: Expected \\(file\\) to be valid JSON or YAML`) });
  t.throws(() => loadRunConfig({ preset: 'nope' }), { message: /Expected preset to be one of llumnix-fig11\/ShareGPT\/round-robin \| .*received "nope"/ });
  t.throws(() => loadRunConfig({ preset: 'llumnix-fig11/M-M/llumnix', set: ['novalue'] }), { message: /Expected --set to be key=value .*received "novalue"/ });
});
