// cluster.contention: instances sharing a machine's cores. A step's price is multiplied by
// step_factors[k] when k other instances are mid-step as it starts.
import test from 'ava';
import type { StepRecord } from '../../metrics/index.ts';
import { findPreset } from '../../artifact/presets.ts';
import { summarize } from '../../metrics/index.ts';
import { parseRunConfig, simulate, type PerfModel } from '../../sim/index.ts';
import { makeCluster, pinnedScheduler, spec } from './helpers.ts';

/** Every non-empty step costs exactly 1 ms, so a step's duration is its contention factor in ms. */
const oneMs: PerfModel = {
  name: 'one-ms',
  prefill_ms: () => 1,
  decode_ms: () => 1,
  step_ms: (batch) => (batch.prefills.length + batch.decodes.length === 0 ? 0 : 1),
};

function steps(contention: readonly number[] | undefined, instances = 2): StepRecord[] {
  const out: StepRecord[] = [];
  // Request i on instance i mod n; arrivals staggered by fractions of a step so that steps
  // start both alone and while the other instance is mid-step.
  const { sim, cluster } = makeCluster({
    instances, perf: oneMs, scheduler: pinnedScheduler((r) => r.id % instances), observer: { step: (s) => out.push(s) },
    ...(contention === undefined ? {} : { contention }),
  });
  cluster.load([spec(0, 0, 32, 12), spec(1, 0.0043, 32, 9), spec(2, 0.0301, 16, 5), spec(3, 0.0317, 16, 20), spec(4, 0.09, 8, 4)]);
  sim.run();
  return out;
}

/** Other instances' steps in flight at `s`'s start (strictly inside; undefined on a tie with a boundary). */
function othersMidStep(s: StepRecord, all: readonly StepRecord[]): number | undefined {
  let k = 0;
  for (const o of all) {
    if (o.instance === s.instance) continue;
    const end = o.start_s + o.duration_s;
    if (Math.abs(o.start_s - s.start_s) < 1e-12 || Math.abs(end - s.start_s) < 1e-12) return undefined;
    if (o.start_s < s.start_s && s.start_s < end) k++;
  }
  return k;
}

test('each step takes its price times the factor of the instances mid-step when it starts', (t) => {
  const all = steps([1, 2.5]);
  const seen = new Set<number>();
  for (const s of all) {
    const k = othersMidStep(s, all);
    if (k === undefined) continue;
    seen.add(k);
    t.true(Math.abs(s.duration_s - (k === 0 ? 0.001 : 0.0025)) < 1e-12, `instance ${s.instance} step at ${s.start_s}: ${k} other(s) mid-step, took ${s.duration_s} s`);
  }
  // The workload must exercise both levels, or the test proves nothing.
  t.deepEqual([...seen].sort(), [0, 1]);
});

test('contention slows the fleet down: the same workload keeps the instances busy longer', (t) => {
  const busy = (xs: StepRecord[]): number => xs.reduce((sum, s) => sum + s.duration_s, 0);
  t.true(busy(steps([1, 2.5])) > busy(steps(undefined)) * 1.2);
});

test('the last factor applies beyond the list: [1, 3] on three instances prices two others mid-step at 3', (t) => {
  const all = steps([1, 3], 3);
  for (const s of all) {
    const k = othersMidStep(s, all);
    if (k === undefined) continue;
    t.true(Math.abs(s.duration_s - (k === 0 ? 0.001 : 0.003)) < 1e-12, `${k} other(s) mid-step, took ${s.duration_s} s`);
  }
});

function presetRows(contention?: { step_factors: number[] }, instances?: number) {
  const raw = findPreset('single-gpu/sharegpt/vllm-v1');
  const config = parseRunConfig({
    ...raw, workload: { ...raw.workload, num_requests: 150 },
    cluster: { ...raw.cluster, ...(instances === undefined ? {} : { instances }), ...(contention === undefined ? {} : { contention }) },
  });
  return summarize(simulate(config).records).rows;
}

test('factors of 1, and any factors on a single instance, change nothing', (t) => {
  t.deepEqual(presetRows({ step_factors: [1, 1, 1] }, 2), presetRows(undefined, 2));
  t.deepEqual(presetRows({ step_factors: [1, 4] }), presetRows());
});

test('a bad factor is refused with the field named', (t) => {
  const raw = findPreset('single-gpu/sharegpt/vllm-v1');
  const error = t.throws(() => parseRunConfig({ ...raw, cluster: { ...raw.cluster, contention: { step_factors: [1, -2] } } }));
  t.regex(error?.message ?? '', /cluster\.contention\.step_factors/);
  t.throws(() => parseRunConfig({ ...raw, cluster: { ...raw.cluster, contention: { step_factors: [] } } }), { message: /step_factors/ });
});
