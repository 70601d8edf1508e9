import test from 'ava';
import type { ClusterView } from '../../policies/index.ts';
import { makeCluster, pinnedScheduler } from './helpers.ts';

/** What the every-reports trigger used to count on every step. */
const counted = (view: ClusterView): number => view.instances.filter((r) => r.state !== 'starting').length;

test('the cluster view keeps the count of reporting (not starting) instances through scale-up, activation and drain', (t) => {
  const { sim, cluster } = makeCluster({ instances: 2, scheduler: pinnedScheduler(() => 0) });
  t.is(cluster.view().reporting, 2);
  cluster.applyScaling({ kind: 'scale-up', n: 2 });
  t.is(cluster.view().instances.length, 4);
  t.is(cluster.view().reporting, 2, 'two instances are still loading');
  t.is(cluster.view().reporting, counted(cluster.view()));
  sim.run();
  t.is(cluster.view().reporting, 4, 'both joined after startup_s');
  cluster.applyScaling({ kind: 'scale-down', instance: 3 });
  t.is(cluster.view().instances.length, 3, 'an idle instance drains at once');
  t.is(cluster.view().reporting, 3);
  t.is(cluster.view().reporting, counted(cluster.view()));
});
