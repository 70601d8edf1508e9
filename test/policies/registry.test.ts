import test from 'ava';
import { makeRegistry } from '../../policies/registry.ts';

type Spec = { kind: 'a'; x: number } | { kind: 'b' };
const build = (name: string) => () => name;

// Mutations: the duplicate, unknown and missing-kind checks removed (each is a programming
// error that must throw at import, before any run).
test('a registry refuses duplicates, kinds outside its spec and missing kinds', (t) => {
  const ok = makeRegistry<Spec, undefined, string>('demo', ['a', 'b'], [{ kind: 'a', build: build('A') }, { kind: 'b', build: build('B') }]);
  t.is(ok.build({ kind: 'b' }, undefined), 'B');
  t.is(ok.build({ kind: 'a', x: 1 }, undefined), 'A');
  t.throws(() => makeRegistry<Spec, undefined, string>('demo', ['a', 'b'], [{ kind: 'a', build: build('A') }, { kind: 'a', build: build('A2') }, { kind: 'b', build: build('B') }]), {
    message: 'demo registry: duplicate kind "a"',
  });
  t.throws(() => makeRegistry<Spec, undefined, string>('demo', ['a'], [{ kind: 'a', build: build('A') }, { kind: 'b', build: build('B') }]), {
    message: 'demo registry: "b" is not in the spec',
  });
  t.throws(() => makeRegistry<Spec, undefined, string>('demo', ['a', 'b'], [{ kind: 'a', build: build('A') }]), {
    message: 'demo registry: no entry for b',
  });
  type Three = { kind: 'a' } | { kind: 'b' } | { kind: 'c' };
  t.throws(() => makeRegistry<Three, undefined, string>('demo', ['a', 'b', 'c'], [{ kind: 'a', build: build('A') }]), {
    message: 'demo registry: no entry for b, c',
  });
  t.throws(() => ok.build({ kind: 'c' } as unknown as Spec, undefined), { message: 'demo registry: unknown kind "c"' });
});
