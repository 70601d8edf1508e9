import test from 'ava';
import { drainDestination, type DrainCandidate } from '../../policies/index.ts';
import { report } from './helpers.ts';

const member = (id: number, free_blocks: number, over: Partial<DrainCandidate> = {}): DrainCandidate => ({
  id, state: 'active', migratable: true, migrations: 0, report: report(id, { free_blocks, running: 1 }), ...over,
});

test('a drain goes to the freest active migratable instance below the migration cap, never to itself', (t) => {
  const fleet = [member(0, 900), member(1, 300), member(2, 600)];
  t.is(drainDestination(fleet, 0, 1), 2, 'the source is skipped even though it is the freest');
  t.is(drainDestination([...fleet, member(3, 800, { migrations: 1 })], 0, 1), 2, 'an instance at the cap is skipped');
  t.is(drainDestination([...fleet, member(3, 800, { migratable: false })], 0, 1), 2, 'an external server is skipped');
  t.is(drainDestination([...fleet, member(3, 800, { state: 'terminating' })], 0, 1), 2, 'another draining instance is skipped');
  t.is(drainDestination([member(0, 900)], 0, 1), undefined, 'nowhere to go');
});
