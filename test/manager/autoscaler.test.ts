// The autoscaler's bookkeeping against a fleet double (no processes): the policy sees
// processes on their way as `starting`, a scale-down marks the victim terminating and retires
// it only once no stream and no migration is left on it (the migration policy, not the
// autoscaler, moves its requests, as in the simulator), a scale-up revives a draining instance
// before starting a new one, external servers are invisible.
import test from 'ava';
import { Autoscaler, type ScalableFleet } from '../../backend/manager/autoscaler.ts';
import type { InstanceHandle } from '../../backend/manager/instance-source.ts';
import { createScheduler, type InstanceReport, type InstanceState } from '../../policies/index.ts';

const report = (id: number, free_blocks: number, running: number): InstanceReport => ({
  id, state: 'active', reported: true, report_time_s: 0, total_blocks: 1000, watermark_blocks: 10, free_blocks, running, waiting: 0, killed: 0,
  head_waiting_blocks: 0, all_waiting_blocks: 0, high_priority: 0, last_running_blocks: 0, migrations_in_flight: 0,
});

interface FakeMember { id: number; state: InstanceState; migratable: boolean; streams: number; migrations: number; report: InstanceReport }

class FakeFleet implements ScalableFleet {
  now_s = 0;
  readonly members_: FakeMember[];
  readonly calls: string[] = [];
  constructor(members: FakeMember[]) {
    this.members_ = members;
  }
  view() {
    const live = this.members_;
    return { now_s: this.now_s, instances: live.map((m) => ({ ...m.report, state: m.state })), dispatched: live.map(() => 0), reports_total: 10 };
  }
  members() {
    return this.members_;
  }
  join(p: InstanceHandle): number {
    const id = this.members_.length;
    this.members_.push({ id, state: 'active', migratable: true, streams: 0, migrations: 0, report: report(id, 1000, 0) });
    this.calls.push(`join ${p.pid}`);
    return id;
  }
  setState(id: number, state: 'active' | 'terminating'): void {
    this.members_[id]!.state = state;
    this.calls.push(`state ${id} ${state}`);
  }
  async retire(id: number): Promise<void> {
    this.calls.push(`retire ${id}`);
    this.members_.splice(this.members_.findIndex((m) => m.id === id), 1);
  }
}

const member = (id: number, free: number, running: number, streams = running, migratable = true): FakeMember => ({ id, state: 'active', migratable, streams, migrations: 0, report: report(id, free, running) });
const scheduler = () => createScheduler({ dispatch: { kind: 'load' }, scaling: { kind: 'avg_load', scale_up_threshold: 10, first_check_s: 0, min_instances: 1, max_instances: 4 } });
const settle = () => new Promise((r) => setTimeout(r, 80));

test('scale-up: a process on its way is `starting` to the policy; it joins when ready', async (t) => {
  const fleet = new FakeFleet([member(0, 100, 50)]);
  let started!: (p: InstanceHandle) => void;
  const scaler = new Autoscaler(fleet, scheduler(), () => new Promise((r) => (started = r)));
  t.deepEqual(scaler.tick(), [{ kind: 'scale-up', n: 1 }], '2 free blocks per request < 10');
  t.deepEqual(scaler.scalingView().instances.map((r) => r.state), ['active', 'starting']);
  t.deepEqual(scaler.tick(), [], 'no second scale-up while one starts');
  started({ pid: 4242 } as InstanceHandle);
  await settle();
  t.deepEqual(fleet.calls, ['join 4242']);
  t.is(scaler.starting, 0);
  t.deepEqual(scaler.events.map((e) => e.kind), ['scale-up', 'joined']);
});

test('scale-down: the victim is terminating at once and retired only when no stream and no migration is left on it', async (t) => {
  const fleet = new FakeFleet([member(0, 500, 2), member(1, 900, 1), member(2, 990, 2)]);
  const scaler = new Autoscaler(fleet, scheduler(), () => Promise.reject(new Error('no starts here')));
  scaler.apply({ kind: 'scale-down', instance: 2 });
  t.is(fleet.view().instances[2]!.state, 'terminating', 'the policies see it terminating at once (dispatch skips it, pairing drains it)');
  await settle();
  t.deepEqual(fleet.calls, ['state 2 terminating'], 'two streams left: not retired');
  const victim = fleet.members_[2]!;
  victim.streams = 0;
  victim.migrations = 1; // its last request is being migrated out
  await settle();
  t.false(fleet.calls.includes('retire 2'), 'a migration in flight keeps it');
  victim.migrations = 0;
  await settle();
  t.deepEqual(fleet.calls, ['state 2 terminating', 'retire 2']);
  t.deepEqual(scaler.events.map((e) => e.kind), ['scale-down', 'retired']);
});

test('the scaling policy never sees external servers', (t) => {
  const fleet = new FakeFleet([member(0, 500, 2), member(1, 1000, 0, 0, false)]);
  const scaler = new Autoscaler(fleet, scheduler(), () => Promise.reject(new Error('no starts here')));
  t.deepEqual(scaler.scalingView().instances.map((r) => r.id), [0]);
  t.throws(() => scaler.apply({ kind: 'scale-down', instance: 1 }), { message: /not an active instance process/ });
});

test('a scale-up while an instance drains revives it instead of starting a process', async (t) => {
  // The victim keeps its stream, so it stays draining.
  const fleet = new FakeFleet([member(0, 500, 1), member(1, 900, 1)]);
  let starts = 0;
  const scaler = new Autoscaler(fleet, scheduler(), () => (starts++, Promise.reject(new Error('no starts here'))));
  scaler.apply({ kind: 'scale-down', instance: 1 });
  await settle();
  scaler.apply({ kind: 'scale-up', n: 1 });
  await settle();
  t.is(fleet.members_[1]!.state, 'active');
  t.is(starts, 0);
  t.false(fleet.calls.includes('retire 1'));
  t.deepEqual(scaler.events.map((e) => e.kind), ['scale-down', 'revived']);
  await scaler.stop();
});
