// Shared by the score-index tests: a seeded generator, and the two randomised runs that check a
// dispatch policy answering from an index against a fresh scan: through new report objects,
// joins and removals (the backend's view), and through a change feed with reports rewritten in
// place (the simulator's ClusterView.changes).
import type { ExecutionContext } from 'ava';
import type { ArrivingRequest, ClusterView, DispatchPolicy, InstanceReport, InstanceState } from '../../policies/index.ts';
import { report } from './helpers.ts';

/** A small deterministic generator (mulberry32), so a failure replays. */
export function generator(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What both runs take. */
export interface IndexedDispatchRun {
  readonly seed: number;
  readonly policy: DispatchPolicy;
  /** The framework's answer from a fresh scan (what the index must reproduce). */
  readonly reference: DispatchPolicy;
  readonly instances: number;
  /** Every n-th instance starts unreported (warm-up). */
  readonly unreportedEvery: number;
  /** Reports changed per round: fewer than this many (the change-feed run adds 8 now and then). */
  readonly maxChanges: number;
  readonly randomReport: (id: number, next: () => number) => InstanceReport;
  readonly arrival: (round: number, next: () => number) => ArrivingRequest;
}

export interface ChurnRun extends IndexedDispatchRun {
  /** The chance per round that an instance joins, unreported, in the state `joinState` draws. */
  readonly joinChance: number;
  readonly joinState: (next: () => number) => InstanceState;
}

/**
 * 600 rounds: new report objects (as ports publish them), an instance removed now and then
 * (slots renumbered), one joining now and then, one arrival each; the policy's answer must equal
 * the reference's on the same view. Returns how many arrivals came while every active instance
 * had reported (the index's own answers, not its warm-up fallback).
 */
export function agreesThroughChurn(t: ExecutionContext, run: ChurnRun): number {
  const next = generator(run.seed);
  let instances = Array.from({ length: run.instances }, (_, id) => report(id, { reported: id % run.unreportedEvery !== 0 }));
  let dispatched = instances.map(() => 0);
  let nextId = instances.length;
  let fromIndex = 0;
  for (let round = 0; round < 600; round++) {
    const changes = Math.floor(next() * run.maxChanges);
    for (let k = 0; k < changes; k++) {
      const slot = Math.floor(next() * instances.length);
      instances[slot] = run.randomReport((instances[slot] as InstanceReport).id, next);
    }
    if (next() < 0.02 && instances.length > 2) {
      const slot = Math.floor(next() * instances.length);
      instances = instances.filter((_, i) => i !== slot);
      dispatched = dispatched.filter((_, i) => i !== slot);
    }
    if (next() < run.joinChance) {
      instances = [...instances, report(nextId++, { state: run.joinState(next), reported: false })];
      dispatched = [...dispatched, 0];
    }
    const view: ClusterView = { now_s: round, instances, dispatched, reports_total: round };
    const arriving = run.arrival(round, next);
    const got = run.policy.choose(arriving, view);
    t.deepEqual(got, run.reference.choose(arriving, view), `seed ${run.seed}, round ${round}`);
    if (instances.every((r) => r.state !== 'active' || r.reported)) fromIndex++;
    if (got.ok) {
      const slot = instances.findIndex((r) => r.id === got.value);
      dispatched = dispatched.map((d, i) => (i === slot ? d + 1 : d));
    }
  }
  return fromIndex;
}

/**
 * 800 rounds: reports rewritten in place (as the simulator does) and recorded in a 6-entry ring
 * (so the reader falls behind it now and then and must scan), layout bumps, one arrival each;
 * the policy's answer must equal the reference's on copies of the reports.
 */
export function agreesThroughChangeFeed(t: ExecutionContext, run: IndexedDispatchRun): void {
  const next = generator(run.seed);
  const instances = Array.from({ length: run.instances }, (_, id) => ({ ...report(id, { reported: id % run.unreportedEvery !== 0 }), version: 0 }));
  const dispatched = instances.map(() => 0);
  const changes = { total: 0, slots: new Int32Array(6), layout: 0 };
  const changed = (slot: number): void => {
    changes.slots[changes.total % changes.slots.length] = slot;
    changes.total++;
  };
  for (let round = 0; round < 800; round++) {
    const n = Math.floor(next() * run.maxChanges) + (next() < 0.05 ? 8 : 0);
    for (let k = 0; k < n; k++) {
      const slot = Math.floor(next() * instances.length);
      const target = instances[slot] as (typeof instances)[number];
      Object.assign(target, run.randomReport(target.id, next), { version: target.version + 1 });
      changed(slot);
    }
    if (next() < 0.02) changes.layout++;
    const view: ClusterView = { now_s: round, instances, dispatched, reports_total: round, changes };
    const arriving = run.arrival(round, next);
    const got = run.policy.choose(arriving, view);
    // The reference sees copies, so nothing it does can depend on object identity.
    t.deepEqual(got, run.reference.choose(arriving, { ...view, instances: instances.map((r) => ({ ...r })) }), `seed ${run.seed}, round ${round}`);
    if (got.ok) {
      const slot = instances.findIndex((r) => r.id === got.value);
      dispatched[slot] = (dispatched[slot] ?? 0) + 1;
      changed(slot);
    }
  }
}

/**
 * Wraps a dispatch policy so that each view it gets counts the framework's passes over the
 * instances (`candidatesOf` maps them; a score index reads slots by number): `answered()` is
 * how many choices the policy's index made without the framework's scan.
 */
export function countingIndexAnswers(policy: DispatchPolicy): { readonly policy: DispatchPolicy; answered(): number } {
  let calls = 0;
  let scans = 0;
  const counted: DispatchPolicy = {
    ...policy,
    choose(request, view) {
      calls++;
      return policy.choose(request, { ...view, instances: countingScans(view.instances, () => scans++) });
    },
  };
  return { policy: counted, answered: () => calls - scans };
}

/** A view's instances behind a proxy that calls `onScan` at each pass of the framework over them (`candidatesOf` maps them). */
export function countingScans(instances: readonly InstanceReport[], onScan: () => void): readonly InstanceReport[] {
  return new Proxy(instances, {
    get(target, key, receiver) {
      if (key === 'map') onScan();
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
}
