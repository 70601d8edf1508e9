import test from 'ava';
import { clusterConfig, PLACEMENTS, workload, type ClusterShape } from '../../artifact/serverlessllm/setups.ts';
import { ConfigError } from '../../sim/errors.ts';
import { desiredInstances, parseServerlessConfig, runServerless, summarizeServerless } from '../../sim/serverless/index.ts';

const SMALL: ClusterShape = { nodes: 2, gpus_per_node: 2, models: 6, zipf_s: 1.1 };

test('same seed → same results; every policy serves every request with unbroken streams', (t) => {
  const requests = workload(SMALL, 'GSM8K', 0.5, 150, 3);
  for (const p of PLACEMENTS) {
    const a = runServerless(clusterConfig(SMALL, 'placement-study', p, 3), requests);
    const b = runServerless(clusterConfig(SMALL, 'placement-study', p, 3), requests);
    t.deepEqual(summarizeServerless(a), summarizeServerless(b), p);
    t.deepEqual(a.requests.map((r) => r.token_times_s), b.requests.map((r) => r.token_times_s), p);
    t.is(summarizeServerless(a).completed, 150, p);
    for (const r of a.requests) t.is(r.token_times_s.length, r.output_tokens, `${p} request ${r.id}`);
  }
  t.notDeepEqual(workload(SMALL, 'GSM8K', 0.5, 150, 3), workload(SMALL, 'GSM8K', 0.5, 150, 4));
});

test('auto-scaling: desired = ceil(in-flight / target) clamped to [min, max]', (t) => {
  const scaling = { metric: 'concurrency', target: 4, min_instances: 1, max_instances: 3, keep_alive: 0 };
  t.is(desiredInstances(0, scaling), 1);
  t.is(desiredInstances(5, scaling), 2);
  t.is(desiredInstances(100, scaling), 3);
});

test('keep-alive: an idle instance stays loaded for keep_alive seconds, then is unloaded', (t) => {
  const config = (keep_alive: number) => ({
    cluster: { nodes: 1, gpus_per_node: 1 },
    models: [{ name: 'm', params_b: 1, ssd_nodes: [0], auto_scaling_config: { keep_alive } }],
  });
  const requests = [
    { id: 0, model: 'm', arrival_s: 0, prompt_tokens: 10, output_tokens: 5 },
    { id: 1, model: 'm', arrival_s: 5, prompt_tokens: 10, output_tokens: 5 },
  ];
  t.is(runServerless(config(0), requests).loads.length, 2);
  const warm = runServerless(config(30), requests);
  t.is(warm.loads.length, 1);
  t.false(warm.requests[1]?.cold_start);
  // The unloaded checkpoint stayed in DRAM: the second cold start reads it from there.
  t.deepEqual(runServerless(config(0), requests).loads.map((l) => l.tier), ['ssd', 'dram']);
});

test('config errors name the field, the value and the expectation', (t) => {
  const base = { cluster: { nodes: 2, gpus_per_node: 2 }, models: [{ name: 'm', params_b: 7 }] };
  const cases: [unknown, RegExp][] = [
    [{ ...base, cluster: { nodes: 0, gpus_per_node: 2 } }, /serverless: Expected cluster\.nodes > 0, received 0/],
    [{ ...base, models: [{ name: 'm', params_b: 7, gpus: 4 }] }, /models\[0\]\.gpus .*at most cluster\.gpus_per_node \(2\), received 4/],
    [{ ...base, models: [{ name: 'm', params_b: 7, ssd_nodes: [5] }] }, /models\[0\]\.ssd_nodes\[0\] .*a node id below cluster\.nodes \(2\), received 5/],
    [{ ...base, loader: { kind: 'mmap' } }, /loader\.kind/],
    [{ ...base, cluster: { ...base.cluster, bandwidth: { ssd_gb_per_s: -1 } } }, /cluster\.bandwidth\.ssd_gb_per_s > 0, received -1/],
  ];
  for (const [input, message] of cases) {
    const error = t.throws(() => parseServerlessConfig(input));
    t.true(error instanceof ConfigError);
    t.regex(error?.message ?? '', message);
  }
});
