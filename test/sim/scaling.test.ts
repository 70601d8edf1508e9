import test from 'ava';
import { createScheduler, type ArrivingRequest, type ClusterView, type InstanceId, type Verdict } from '../../policies/index.ts';
import { type FleetScheduler, MigrationParams, SimCluster, Simulation, fittedPerfModel, LLAMA_7B_A10, linkCopyModel } from '../../sim/index.ts';
import type { RequestSpec } from '../../traces/index.ts';
import { LIMITS } from './helpers.ts';

function fleet(migrate: boolean, workload: RequestSpec[], scaling: Record<string, unknown>, instances: number) {
  const sim = new Simulation(3);
  const scheduler = createScheduler({
    dispatch: { kind: 'load' },
    ...(migrate
      ? { pairing: { kind: 'defrag' }, selector: { kind: 'SR' }, trigger: { kind: 'every-reports', reports_per_instance: 1 } }
      : {}),
    scaling: { kind: 'avg_load', interval_s: 1, first_check_s: 2, min_instances: 1, max_instances: 6, ...scaling },
  });
  // Record every dispatch with the state of the chosen instance at that moment.
  const dispatchedTo: { instance: InstanceId; state: string | undefined; time_s: number }[] = [];
  const recording: FleetScheduler = {
    dispatch(request: ArrivingRequest, view: ClusterView): Verdict<InstanceId> {
      const verdict = scheduler.dispatch(request, view);
      if (verdict.ok) dispatchedTo.push({ instance: verdict.value, state: view.instances.find((r) => r.id === verdict.value)?.state, time_s: view.now_s });
      return verdict;
    },
    onReport: (view) => scheduler.onReport(view),
    selectRequest: (running, context) => scheduler.selectRequest(running, context),
    scaling: scheduler.scaling,
    onScalingTick: (view) => scheduler.onScalingTick(view),
  };
  const migration = MigrationParams.parse({});
  const cluster = new SimCluster(
    sim,
    {
      instances,
      limits: { ...LIMITS, total_blocks: 200, watermark_blocks: 2 },
      perf: fittedPerfModel('7b', LLAMA_7B_A10),
      copy: linkCopyModel({ bytes_per_block: 8 << 20, bandwidth_gbps: 2.5, stage_overhead_ms: 10 }),
      migration,
      startup_s: 3,
      checkInvariants: true,
    },
    recording,
  );
  cluster.load(workload);
  return { sim, cluster, dispatchedTo };
}

const steady = (n: number, gap_s: number, prompt: number, output: number): RequestSpec[] =>
  Array.from({ length: n }, (_, id) => ({ id, arrival_s: id * gap_s, prompt_tokens: prompt, output_tokens: output, priority: 'normal' }));

for (const migrate of [true, false]) {
  test(`a lightly loaded fleet scales in; the draining instance receives nothing and leaves (${migrate ? 'Llumnix: drained by migration' : 'INFaaS++: waits until empty'})`, (t) => {
    const { sim, cluster, dispatchedTo } = fleet(migrate, steady(150, 0.2, 64, 100), { scale_up_threshold: 5 }, 4);
    let sawTerminating = 0;
    sim.run({
      afterEach: () => {
        sawTerminating = Math.max(sawTerminating, cluster.instances.filter((i) => i.state === 'terminating').length);
      },
    });
    t.is(sawTerminating, 1);
    t.true(cluster.instances.length < 4, `fleet ended at ${cluster.instances.length}`);
    t.true(cluster.instances.length >= 1);
    t.deepEqual(dispatchedTo.filter((d) => d.state !== 'active'), []);
    t.true(cluster.averageInstances() < 4);
    t.is(cluster.finished, 150);
    if (migrate) t.true(cluster.migrations.some((m) => m.status === 'committed'));
  });
}

test('an overloaded fleet scales out; new instances serve only after their start-up delay', (t) => {
  const { sim, cluster, dispatchedTo } = fleet(true, steady(400, 0.02, 200, 300), { scale_up_threshold: 10 }, 1);
  const activatedAt = new Map<number, number>();
  sim.run({
    afterEach: () => {
      for (const instance of cluster.instances) {
        if (instance.state === 'active' && !activatedAt.has(instance.id)) activatedAt.set(instance.id, sim.now_s);
      }
    },
  });
  t.true(activatedAt.size > 1, 'no instance was added');
  for (const [id, at] of activatedAt) {
    if (id === 0) continue;
    // First check at 2 s plus 3 s start-up: nobody new serves before 5 s.
    t.true(at >= 5, `instance ${id} active at ${at}`);
    t.true(dispatchedTo.filter((d) => d.instance === id).every((d) => d.time_s >= at));
  }
  t.true(cluster.averageInstances() > 1);
  t.is(cluster.finished, 400);
});
