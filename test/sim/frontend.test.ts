// cluster.frontend: the path around the engines of a real fleet. A request reaches its instance
// dispatch_ms after arriving; a token reaches its client delivery_ms after its step.
import test from 'ava';
import { summarize } from '../../metrics/index.ts';
import { findPreset } from '../../artifact/presets.ts';
import { parseRunConfig, simulate } from '../../sim/index.ts';

function run(frontend?: { dispatch_ms: number; delivery_ms: number }) {
  const raw = findPreset('single-gpu/sharegpt/vllm-v1');
  const config = parseRunConfig({
    ...raw, workload: { ...raw.workload, num_requests: 200 },
    cluster: { ...raw.cluster, ...(frontend === undefined ? {} : { frontend }) },
  });
  return summarize(simulate(config).records).rows;
}

test('delivery shifts every token of every request by exactly delivery_ms: TTFT and E2E move, TPOT does not', (t) => {
  const base = run();
  const late = run({ dispatch_ms: 0, delivery_ms: 7 });
  t.is(late.length, base.length);
  for (const [i, b] of base.entries()) {
    const l = late[i]!;
    t.is(l.request_id, b.request_id);
    t.true(Math.abs(l.prefill_latency_s - b.prefill_latency_s - 0.007) < 1e-9, `request ${b.request_id} TTFT`);
    t.true(Math.abs(l.request_latency_s - b.request_latency_s - 0.007) < 1e-9, `request ${b.request_id} E2E`);
    t.true(Math.abs(l.decode_latency_s - b.decode_latency_s) < 1e-9, `request ${b.request_id} TPOT`);
  }
});

test('dispatch delays every request reaching its instance: no request gets faster, the mean TTFT grows by at least dispatch_ms', (t) => {
  const base = run();
  const slow = run({ dispatch_ms: 20, delivery_ms: 0 });
  const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  t.true(mean(slow.map((r) => r.prefill_latency_s)) >= mean(base.map((r) => r.prefill_latency_s)) + 0.02 - 1e-9);
  for (const r of slow) t.true(r.prefill_latency_s >= 0.02 - 1e-9, `request ${r.request_id} got its first token before it reached an instance`);
});

test('absent frontend and zero frontend give identical results', (t) => {
  t.deepEqual(run(), run({ dispatch_ms: 0, delivery_ms: 0 }));
});
