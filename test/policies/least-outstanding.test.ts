import test from 'ava';
import { createDispatchPolicy, createScheduler } from '../../policies/index.ts';
import { parseRunConfig, simulate, type RunConfigInput } from '../../sim/index.ts';
import { busy, report, request, view } from './helpers.ts';

test("least-outstanding counts waiting requests only (Vidur's lor), not running ones", (t) => {
  const policy = createDispatchPolicy({ kind: 'least-outstanding' });
  // Instance 0 runs 60 requests with an empty queue; instance 1 runs 1 with 2 waiting.
  const v = view([busy(0, 60, 700), busy(1, 1, 10, { waiting: 2 })]);
  t.deepEqual(policy.choose(request(), v), { ok: true, policy: 'least-outstanding', value: 0 });
  // least-requests counts both, and goes the other way.
  t.like(createDispatchPolicy({ kind: 'least-requests' }).choose(request(), v), { ok: true, value: 1 });
});

test('least-outstanding breaks ties to the lowest id, whatever was dispatched before (least-requests: fewest dispatched)', (t) => {
  const v = view([report(0, { waiting: 1 }), report(1, { waiting: 0 }), report(2, { waiting: 0 })], { dispatched: [0, 9, 3] });
  t.like(createDispatchPolicy({ kind: 'least-outstanding' }).choose(request(), v), { value: 1 });
  t.like(createDispatchPolicy({ kind: 'least-requests' }).choose(request(), v), { value: 2 });
});

test('least-outstanding reads live state unless told reads: reports; every kind takes reads; a bad value is named', (t) => {
  t.is(createDispatchPolicy({ kind: 'least-outstanding' }).reads, 'live');
  t.is(createDispatchPolicy({ kind: 'least-outstanding', reads: 'reports' }).reads, undefined);
  t.is(createDispatchPolicy({ kind: 'load', reads: 'live' }).reads, 'live');
  t.is(createDispatchPolicy({ kind: 'round-robin' }).reads, undefined);
  t.is(createScheduler({ dispatch: { kind: 'least-outstanding' } }).dispatchReads, 'live');
  t.is(createScheduler({ dispatch: { kind: 'load' } }).dispatchReads, 'reports');
  t.throws(() => createDispatchPolicy({ kind: 'least-outstanding', reads: 'fresh' }), { message: /dispatch\.reads to be one of "reports" \| "live", received "fresh"/ });
});

/** 8 requests at t = 0 on 4 idle instances: which instance each one went to. */
function burstPlacement(dispatch: RunConfigInput['scheduler']['dispatch']): number[] {
  const config = parseRunConfig({
    cluster: { instances: 4 },
    scheduler: { dispatch },
    workload: { num_requests: 8, arrival: { kind: 'burst' }, lengths: { prompt: { kind: 'fixed', tokens: 32 }, output: { kind: 'fixed', tokens: 4 } } },
  });
  return simulate(config).requests.map((r) => r.instance ?? -1);
}

test('in the simulator a live view sees requests dispatched at the same instant; the last step report does not', (t) => {
  // Live: each arrival sees the queues the earlier ones joined, so the burst spreads 0,1,2,3,0,1,2,3.
  t.deepEqual(burstPlacement({ kind: 'least-outstanding' }), [0, 1, 2, 3, 0, 1, 2, 3]);
  // Reports: every instance last reported an empty queue, so every tie goes to instance 0.
  t.deepEqual(burstPlacement({ kind: 'least-outstanding', reads: 'reports' }), [0, 0, 0, 0, 0, 0, 0, 0]);
});
