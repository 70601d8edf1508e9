import test from 'ava';
import seedrandom from 'seedrandom';
import { clusterConfig, DATASETS, PLACEMENTS, SYSTEMS, workload } from '../../artifact/serverlessllm/setups.ts';
import { runServerless } from '../../sim/serverless/run.ts';

// The ServerlessLLM simulator on random clusters: node and GPU counts, model counts and sizes,
// GPUs per model, DRAM cache size, every system and placement policy, random auto-scaling
// (targets, floors, ceilings, keep-alive) and both datasets. Every run must serve every request:
// a placement that waits for ever, a lost request or a leaked GPU would leave one undone.
test('random serverless clusters: every request is served, whatever the system, placement and scaling', (t) => {
  const rng = seedrandom('serverless-random-clusters');
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;
  for (let k = 0; k < 16; k++) {
    const shape = { nodes: 1 + Math.floor(rng() * 4), gpus_per_node: 1 + Math.floor(rng() * 4), models: 1 + Math.floor(rng() * 12), zipf_s: 0.5 + rng() };
    const system = pick([...SYSTEMS, 'placement-study'] as const);
    const placement = rng() < 0.5 ? pick(PLACEMENTS) : undefined;
    const config = clusterConfig(shape, system, placement, k) as any;
    if (rng() < 0.5) config.cluster.dram_cache_gb = Math.floor(rng() * 64);
    for (const model of config.models) {
      if (rng() < 0.3) model.params_b = pick([1.3, 6.7, 13, 30]);
      if (rng() < 0.3) model.gpus = 1 + Math.floor(rng() * shape.gpus_per_node);
      model.auto_scaling_config = { target: 1 + Math.floor(rng() * 4), min_instances: rng() < 0.2 ? 1 : 0, max_instances: 1 + Math.floor(rng() * 5), keep_alive: rng() < 0.5 ? 0 : rng() * 20 };
    }
    const requests = workload(shape, pick(DATASETS), 0.2 + rng() * 3, 100 + Math.floor(rng() * 100), k);
    const label = JSON.stringify({ shape, system, placement });
    const result = runServerless(config, requests);
    t.is(result.requests.length, requests.length, label);
    t.is(result.requests.filter((r) => !r.done).length, 0, `${label}: every request served`);
  }
});
