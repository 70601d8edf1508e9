import test from 'ava';
import { activeOnly, createScheduler, makeDispatchPolicy, type ArrivingRequest, type ClusterView, type InstanceId, type Verdict } from '../../policies/index.ts';
import { Band, type FleetScheduler, InvariantError, SimRequest, MigrationParams, SimCluster, Simulation, fittedPerfModel, LLAMA_7B_A10, linkCopyModel } from '../../sim/index.ts';
import type { RequestSpec } from '../../traces/index.ts';
import { countingScans, generator } from '../policies/change-feed.ts';
import { LIMITS, spec } from './helpers.ts';

// The live view (sim/cluster/live-view.ts) re-takes only the instances marked since the previous
// arrival. These runs exercise every place that changes an instance (dispatch, enqueue with a
// frontend delay, steps with preemptions, migration stages, scale-out, scale-in, removal) with
// `checkLiveView` on, which compares every live report with a fresh snapshot at every arrival
// and after every event: a mark left out fails them. Each dispatch answer (from the policy's score index, following the
// live view's change feed) is compared with the framework's scan of fresh snapshots.

/** Vidur's lor as the framework computes it from a fresh scan: what the index must reproduce. */
const reference = makeDispatchPolicy('least-outstanding', [activeOnly], (_r, candidates) => candidates.map(({ report }) => -report.waiting), 'lowest-id');

/** Waves of arrivals: bursts that overload the fleet (preemptions, scale-out), lulls that let it shrink. */
function waves(seed: number, n: number): RequestSpec[] {
  const next = generator(seed);
  const specs: RequestSpec[] = [];
  let t = 0;
  for (let id = 0; id < n; id++) {
    const busy = Math.floor(t / 15) % 2 === 0;
    t += busy ? next() * 0.02 : next() * 0.6;
    const prompt = 16 + Math.floor(next() * next() * 400);
    const output = 1 + Math.floor(next() * next() * 300);
    specs.push({ ...spec(id, t, prompt, output), priority: next() < 0.2 ? 'high' : 'normal' });
  }
  return specs;
}

interface LiveRun {
  readonly seed: number;
  readonly dispatch_ms: number;
  /** Delay before a migration's first stage (so its start and its first reservation are apart). */
  readonly control_ms?: number;
  readonly dispatch?: Record<string, unknown>;
}

function runLive(run: LiveRun) {
  const sim = new Simulation(run.seed);
  const scheduler = createScheduler({
    dispatch: run.dispatch ?? { kind: 'least-outstanding' },
    pairing: { kind: 'defrag' },
    selector: { kind: 'SR' },
    trigger: { kind: 'every-reports', reports_per_instance: 1 },
    scaling: { kind: 'avg_load', interval_s: 1, first_check_s: 2, min_instances: 2, max_instances: 12, scale_up_threshold: 10 },
  }, { rng: sim.rng.stream('dispatch') });
  let cluster: SimCluster | undefined;
  const counts = { arrivals: 0, scans: 0, compared: 0, nonActive: 0 };
  const checked: FleetScheduler = {
    dispatchReads: scheduler.dispatchReads,
    dispatch(request: ArrivingRequest, view: ClusterView): Verdict<InstanceId> {
      counts.arrivals++;
      const got = scheduler.dispatch(request, { ...view, instances: countingScans(view.instances, () => counts.scans++) });
      if (run.dispatch === undefined) {
        // A fresh snapshot of every instance now: what the live view replaced.
        const now = (cluster as SimCluster).sim.now_s;
        const fresh = (cluster as SimCluster).instances.map((instance) => instance.snapshot(now, instance.report.reported));
        const want = reference.choose(request, { now_s: now, instances: fresh, dispatched: view.dispatched, reports_total: view.reports_total });
        if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`request ${request.id} at ${now}: ${JSON.stringify(got)}, a fresh scan ${JSON.stringify(want)}`);
        counts.compared++;
      }
      if (view.instances.some((r) => r.state !== 'active')) counts.nonActive++;
      return got;
    },
    onReport: (view) => scheduler.onReport(view),
    selectRequest: (running, context) => scheduler.selectRequest(running, context),
    scaling: scheduler.scaling,
    onScalingTick: (view) => scheduler.onScalingTick(view),
  };
  const migration = MigrationParams.parse(run.control_ms === undefined ? {} : { control_ms: run.control_ms });
  cluster = new SimCluster(
    sim,
    {
      instances: 6,
      limits: { ...LIMITS, total_blocks: 160, watermark_blocks: 2 },
      perf: fittedPerfModel('7b', LLAMA_7B_A10),
      copy: linkCopyModel({ bytes_per_block: 8 << 20, bandwidth_gbps: 2.5, stage_overhead_ms: 10 }),
      migration,
      startup_s: 2,
      ...(run.dispatch_ms > 0 ? { frontend: { dispatch_ms: run.dispatch_ms, delivery_ms: 0 } } : {}),
      checkInvariants: true,
      checkLiveView: true,
    },
    checked,
  );
  const workload = waves(run.seed, 1500);
  cluster.load(workload);
  const ids = new Set<number>();
  let size = cluster.instances.length;
  let removals = 0;
  let preemptions = 0;
  sim.run({
    afterEach: () => {
      const c = cluster as SimCluster;
      // Between events too, so a change whose mark is left out is caught even where a later
      // mark on the same instance would cover it before the next arrival.
      c.liveView();
      for (const instance of c.instances) ids.add(instance.id);
      if (c.instances.length < size) removals++;
      size = c.instances.length;
    },
  });
  for (const r of cluster.requests) preemptions += r.preemptions;
  return { cluster, counts, ids, removals, preemptions, total: workload.length };
}

for (const [seed, dispatch_ms, control_ms] of [[1, 0, 0], [2, 0, 0], [3, 40, 5]] as const) {
  test(`least-outstanding on a live view: every report equals a fresh snapshot and every choice a fresh scan's, through preemptions, migrations and scaling (seed ${seed}, dispatch ${dispatch_ms} ms, migration control ${control_ms} ms)`, (t) => {
    const { cluster, counts, ids, removals, preemptions, total } = runLive({ seed, dispatch_ms, control_ms });
    t.is(cluster.finished, total);
    t.is(counts.compared, counts.arrivals);
    // The run went through what the marks must cover.
    t.true(preemptions > 0, 'no preemption');
    t.true(cluster.migrations.some((m) => m.status === 'committed'), 'no migration committed');
    t.true(ids.size > 6, `no instance added (${ids.size} ids)`);
    t.true(removals > 0, 'no instance removed');
    t.true(counts.nonActive > 0, 'no arrival while an instance was starting or draining');
    // The index answered itself (no scan), nearly always.
    t.true(counts.arrivals - counts.scans > counts.arrivals * 0.9, `${counts.scans} scans for ${counts.arrivals} arrivals`);
  });
}

test('other dispatch kinds reading the live view keep working (load, least-requests, random), the view checked at every arrival', (t) => {
  for (const dispatch of [{ kind: 'load', reads: 'live' }, { kind: 'least-requests', reads: 'live' }, { kind: 'random', reads: 'live' }]) {
    const { cluster, counts, total } = runLive({ seed: 4, dispatch_ms: 0, dispatch });
    t.is(cluster.finished, total, JSON.stringify(dispatch));
    t.true(counts.arrivals > 0);
  }
});

test('the live view check names a change that did not mark its instance', (t) => {
  const { cluster } = smallCluster();
  cluster.liveView();
  // Behind the cluster's back: the engine changes, nothing marks the instance.
  cluster.instances[1]?.engine.enqueue(new SimRequest(spec(99, 0, 32, 4)));
  const error = t.throws(() => cluster.liveView(), { instanceOf: InvariantError });
  t.regex(error?.message ?? '', /instance 1 \(slot 1\) has waiting = 0, a fresh snapshot 1/);
});

test('a live report stamps the view time and bumps its version only when its instance changed', (t) => {
  const { sim, cluster } = smallCluster();
  const first = cluster.liveView();
  const versions = first.instances.map((r) => r.version);
  sim.at(3, Band.control, () => undefined);
  sim.run();
  const later = cluster.liveView();
  t.is(later.now_s, 3);
  t.true(later.instances.every((r) => r.report_time_s === 3));
  t.deepEqual(later.instances.map((r) => r.version), versions);
});

function smallCluster() {
  const sim = new Simulation(1);
  const scheduler = createScheduler({ dispatch: { kind: 'least-outstanding' } });
  const cluster = new SimCluster(
    sim,
    {
      instances: 3,
      limits: LIMITS,
      perf: fittedPerfModel('7b', LLAMA_7B_A10),
      copy: linkCopyModel({ bytes_per_block: 8 << 20, bandwidth_gbps: 2.5, stage_overhead_ms: 10 }),
      migration: MigrationParams.parse({}),
      startup_s: 2,
      checkLiveView: true,
    },
    scheduler,
  );
  return { sim, cluster };
}
