import test from 'ava';
import {
  createDispatchPolicy,
  createMigrationTrigger,
  createPairingPolicy,
  createRequestSelector,
  createScheduler,
  DispatchSpec,
  PairingSpec,
  ConfigError,
  PolicyInputError,
} from '../../policies/index.ts';
import { makeRegistry } from '../../policies/registry.ts';
import { busy, request, view } from './helpers.ts';

const configError = (t: import('ava').ExecutionContext, fn: () => unknown, ...parts: RegExp[]): void => {
  const error = t.throws(fn, { instanceOf: ConfigError });
  for (const part of parts) t.regex(error?.message ?? '', part);
};

test('factory errors name the field, the value and the expectation', (t) => {
  configError(t, () => createPairingPolicy({ kind: 'defrag', max_concurrency: 0 }), /^Expected pairing\.max_concurrency > 0, received 0$/);
  configError(t, () => createPairingPolicy({ kind: 'defrag', migrate_threshold: 'high' }), /pairing\.migrate_threshold to be a number, received "high"/);
  configError(t, () => createDispatchPolicy({ kind: 'fastest' }), /dispatch\.kind/, /round-robin/, /"fastest"/);
  configError(t, () => createMigrationTrigger({ kind: 'every-interval', interval_s: -1 }), /trigger\.interval_s/, /received -1/);
  configError(t, () => createRequestSelector({ kind: 'SR', k: 2 }), /selector\.k to be absent \(not a known option\), received 2/);
  configError(t, () => createPairingPolicy({ kind: 'defrag', queued_demand: 'some' }), /pairing\.queued_demand to be one of "head-of-line" \| "all-waiting", received "some"/);
  configError(t, () => createPairingPolicy({ kind: 'defrag', max_concurrency: 1.5 }), /max_concurrency to be an integer, received 1\.5/);
  configError(t, () => createDispatchPolicy({ kind: 'random' }), /dispatch\.rng/, /seeded/, /received undefined/);
  configError(t, () => createPairingPolicy(undefined), /^Expected pairing to be present \(a required object\), received nothing$/);
});

test('specs fill documented defaults', (t) => {
  t.deepEqual(PairingSpec.parse({ kind: 'defrag' }), {
    kind: 'defrag',
    migrate_threshold: 3,
    max_concurrency: 1,
    queued_demand: 'head-of-line',
    priority_aware: true,
  });
  t.deepEqual(DispatchSpec.parse({ kind: 'load' }), { kind: 'load', priority_aware: true });
});

test('a NaN in a report throws naming the policy instead of dispatching somewhere', (t) => {
  const load = createDispatchPolicy({ kind: 'load' });
  const v = view([busy(0, 2, 20), busy(1, 2, 20, { total_blocks: Number.NaN })]);
  const error = t.throws(() => load.choose(request(), v), { instanceOf: PolicyInputError });
  t.regex(error?.message ?? '', /^load: total_blocks of instance 1 is NaN/);
  const pairing = createPairingPolicy({ kind: 'defrag' });
  t.throws(() => pairing.pair(v), { message: /^defrag: total_blocks of instance 1/ });
});

test('registries refuse duplicate, unknown and missing kinds', (t) => {
  type S = { kind: 'a' } | { kind: 'b' };
  const a = { kind: 'a' as const, build: () => 1 };
  const b = { kind: 'b' as const, build: () => 2 };
  t.throws(() => makeRegistry<S, undefined, number>('x', ['a', 'b'], [a, b, a]), { message: /duplicate kind "a"/ });
  t.throws(() => makeRegistry<S, undefined, number>('x', ['a'], [a, b]), { message: /"b" is not in the spec/ });
  t.throws(() => makeRegistry<S, undefined, number>('x', ['a', 'b'], [a]), { message: /no entry for b/ });
});

test('scheduler spec: migration needs pairing, selector and trigger together', (t) => {
  configError(
    t,
    () => createScheduler({ dispatch: { kind: 'load' }, pairing: { kind: 'defrag' } }),
    /scheduler\.selector/,
    /to be set when pairing is set/,
  );
});
