// Auto-scaling of real instance processes: the manager runs the simulator's scaling policy over
// the real ClusterView. A scale-up starts a process that joins the fleet; a scale-down stops
// dispatching to its victim, has its running requests drained by the migration policy (live migration) and stops the
// process. No token is lost or repeated: outputs equal one engine's run of the same prompts.
import test from 'ava';
import { parseSamplingParams } from '../../backend/engine/sampling-params.ts';
import { Fleet } from '../../backend/manager/fleet.ts';
import { alive, collect, oneEngineOutputs, privateModelCache, until, type Out } from './helpers.ts';

privateModelCache('autoscaling');

const prompt = (i: number): number[] => Array.from({ length: 6 + (i % 5) * 3 }, (_, j) => (i * 37 + j * 17 + 3) % 500);

test.serial('policy-driven: a load burst scales out to a new process, idleness scales back in; outputs equal one engine', async (t) => {
  const sampling = parseSamplingParams({ max_tokens: 64, temperature: 0, ignore_eos: true });
  // 1024 blocks per instance: 8 running requests give ~125 free blocks per request (< 200: scale
  // up); an idle fleet is infinitely free (> 400: scale down to min_instances).
  const fleet = await Fleet.start({
    instances: 1, engine: { model: 'tiny' },
    scheduler: { dispatch: { kind: 'load' }, scaling: { kind: 'avg_load', scale_up_threshold: 200, scale_down_threshold: 400, interval_s: 0.2, first_check_s: 0, min_instances: 1, max_instances: 2 } },
  });
  const firstPid = fleet.pids[0]!;
  const prompts: number[][] = [];
  const runs: Promise<Out>[] = [];
  try {
    // Waves of 8 requests until the new instance has joined and taken some of them.
    for (let wave = 0; wave < 40 && !(fleet.members().length === 2 && (fleet.dispatched[1] ?? 0) > 0); wave++) {
      const batch = Array.from({ length: 8 }, (_, k) => prompt(prompts.length + k));
      const started = batch.map((p, k) => collect(fleet.generate({ request_id: `b${prompts.length + k}`, prompt_token_ids: p, sampling })));
      for (const p of batch) prompts.push(p);
      runs.push(...started);
      await Promise.all(started);
    }
    t.is(fleet.members().length, 2, `scaled out: ${JSON.stringify(fleet.scaling?.events)}`);
    t.true((fleet.dispatched[1] ?? 0) > 0, 'the new instance served requests');
    const newPid = fleet.pids.find((p) => p !== firstPid)!;
    t.true(alive(newPid));
    const outs = await Promise.all(runs);
    // Idle now: the policy scales back in to one instance and stops the new process.
    await until('scale-in to 1 instance', () => fleet.members().length === 1);
    await until('the retired process exits', () => !alive(newPid), 15_000);
    t.deepEqual(fleet.pids, [firstPid]);
    const kinds = fleet.scaling!.events.map((e) => e.kind);
    t.true(kinds.includes('scale-up') && kinds.includes('joined') && kinds.includes('scale-down') && kinds.includes('retired'), kinds.join(','));
    t.deepEqual(outs, await oneEngineOutputs(prompts, sampling));
  } finally {
    await fleet.stop();
  }
});

test.serial('scale-in drains running requests by live migration, then stops the process; a scale-up joins a new process', async (t) => {
  const sampling = parseSamplingParams({ max_tokens: 300, temperature: 0, ignore_eos: true });
  // The policy never ticks here (first check far away): the test applies decisions as the tick would.
  const fleet = await Fleet.start({
    instances: 1, engine: { model: 'tiny' },
    // The migration policy drains the victim, as in the simulator: pairing makes a terminating
    // instance a source (every report triggers it here).
    scheduler: {
      dispatch: { kind: 'round-robin' }, pairing: { kind: 'defrag', migrate_threshold: 3 }, selector: { kind: 'SR' }, trigger: { kind: 'every-reports', reports_per_instance: 1 },
      scaling: { kind: 'avg_load', first_check_s: 1e6, min_instances: 1, max_instances: 2 },
    },
  });
  try {
    const scaler = fleet.scaling!;
    t.throws(() => scaler.apply({ kind: 'scale-down', instance: 7 }), { message: /scale-down of instance 7, which is not an active instance process/ });
    scaler.apply({ kind: 'scale-up', n: 1 });
    t.is(scaler.starting, 1);
    t.is(scaler.scalingView().instances.filter((r) => r.state === 'starting').length, 1, 'the policy sees the process on its way');
    await until('the new instance joins', () => fleet.members().length === 2);
    const prompts = Array.from({ length: 4 }, (_, i) => prompt(i));
    let midway!: () => void;
    const decoding = new Promise<void>((r) => (midway = r));
    const runs = prompts.map((p, i) => collect(fleet.generate({ request_id: `d${i}`, prompt_token_ids: p, sampling }), (n) => n === 5 && midway()));
    t.deepEqual([...fleet.dispatched], [2, 2], 'round-robin used the joined instance');
    await decoding;
    const victimPid = fleet.pids[1]!;
    scaler.apply({ kind: 'scale-down', instance: 1 });
    t.is(fleet.view().instances.find((r) => r.id === 1)?.state, 'terminating');
    // A request arriving while it drains goes elsewhere.
    runs.push(collect(fleet.generate({ request_id: 'late', prompt_token_ids: prompt(4), sampling })));
    t.is(fleet.dispatched[1], 2);
    const outs = await Promise.all(runs);
    await until('the victim is retired', () => fleet.members().length === 1);
    await until('its process exits', () => !alive(victimPid), 15_000);
    const drained = fleet.migrations.filter((m) => m.from === 1 && m.outcome === 'committed');
    t.true(drained.length >= 1, `requests left the victim by live migration: ${JSON.stringify(scaler.events)}`);
    t.deepEqual(outs, await oneEngineOutputs([...prompts, prompt(4)], sampling), 'no token lost or repeated');
  } finally {
    await fleet.stop();
  }
});
