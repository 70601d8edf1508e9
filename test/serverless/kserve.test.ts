import test from 'ava';
import { KSERVE_LOADER, KSERVE_POD_START_S, KSERVE_RUNTIME_START_S } from '../../artifact/serverlessllm/kserve.ts';
import { clusterConfig, PAPER_CLUSTER, SYSTEMS } from '../../artifact/serverlessllm/setups.ts';
import { runTask } from '../../artifact/serverlessllm/sweep.ts';
import { LoaderSpec, loaderParams, loadSeconds } from '../../sim/serverless/index.ts';

// Issue 11 §4: the KServe baseline, start-up costs from public numbers (kserve.ts).

const GB = 1e9;

test('a KServe cold start = pod start + runtime start + a Ray Serve (safetensors) load from remote storage', (t) => {
  const kserve = loaderParams(LoaderSpec.parse(KSERVE_LOADER));
  const safetensors = loaderParams({ kind: 'safetensors' });
  t.false(kserve.pipelined, 'the download ends before the server starts');
  // OPT-6.7B (13.4 GB) over the paper cluster's 10 Gbps link, then PCIe.
  const remote = [1.25 * GB, 25 * GB];
  const extra = loadSeconds(kserve, 13.4 * GB, remote) - loadSeconds(safetensors, 13.4 * GB, remote);
  t.true(Math.abs(extra - (KSERVE_POD_START_S + KSERVE_RUNTIME_START_S)) < 1e-9, `extra ${extra} s`);
  t.true(loadSeconds(kserve, 13.4 * GB, remote) > 20, 'a 13.4 GB download alone is ~11 s');
});

test('KServe keeps nothing between cold starts: no SSD copy, no DRAM pool', (t) => {
  t.true(SYSTEMS.includes('KServe'));
  const config = clusterConfig(PAPER_CLUSTER, 'KServe');
  t.like(config.cluster, { dram_cache_gb: 0, cache_downloads_on_ssd: false });
  t.true((config.models ?? []).every((m) => ((m as { ssd_nodes?: readonly number[] }).ssd_nodes ?? []).length === 0));
  t.like(config.loader, { kind: 'custom', name: 'kserve' });
});

test('on the same requests KServe is the slowest system, and ServerlessLLM the fastest', (t) => {
  const task = { shape: PAPER_CLUSTER, dataset: 'GSM8K' as const, rate_per_s: 0.2, requests: 150, seed: 0, kind: 'system' as const };
  const mean = Object.fromEntries(SYSTEMS.map((variant) => [variant, runTask({ ...task, variant }).ttft_mean_s]));
  t.true((mean['KServe'] ?? 0) > (mean['Ray Serve'] ?? Infinity), JSON.stringify(mean));
  t.true((mean['Ray Serve'] ?? 0) > (mean['ServerlessLLM'] ?? Infinity), JSON.stringify(mean));
});
