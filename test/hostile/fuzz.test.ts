import test from 'ava';
import { fuzz } from './fuzz-targets.ts';

test('a short fuzz of config parsing, trace loaders and the KV wire format finds only clear errors', (t) => {
  const { cases, failures, outcomes } = fuzz(3, 'ci');
  t.deepEqual(failures, []);
  t.true(cases > 100, `${cases} cases`);
  for (const [target, o] of Object.entries(outcomes)) {
    t.true(o.ok > 0 && o.refused > 0, `${target} saw both accepted and refused inputs (${o.ok}/${o.refused})`);
  }
});
