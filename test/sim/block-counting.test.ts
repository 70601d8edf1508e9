/**
 * The simulator's engines count blocks instead of keeping ids whenever no prefix cache needs ids
 * (engine/block-manager.ts): a run must give the same results either way, to the bit, migrations
 * and preemptions included.
 */
import test from 'ava';
import { findPreset } from '../../artifact/presets.ts';
import { summarize } from '../../metrics/index.ts';
import { parseRunConfig, type RunConfigInput, type SimCluster, simulate } from '../../sim/index.ts';

function config(preset: string, requests: number, cluster: Record<string, unknown> = {}): ReturnType<typeof parseRunConfig> {
  const raw = findPreset(preset) as RunConfigInput;
  return parseRunConfig({ ...raw, cluster: { ...raw.cluster, ...cluster }, workload: { ...raw.workload, num_requests: requests } } as RunConfigInput);
}

/** Whether the run's engines kept block ids, read from its first instance. */
function keptIds(run: (afterEvent: (cluster: SimCluster) => void) => void): boolean {
  let ids: boolean | undefined;
  run((cluster) => {
    ids ??= cluster.instances[0]?.engine.blocks.ids;
  });
  return ids as boolean;
}

const CASES: { name: string; config: ReturnType<typeof parseRunConfig> }[] = [
  // Migration on (Llumnix's preset), enough load for preemptions.
  { name: 'llumnix-fig11/ShareGPT/llumnix', config: config('llumnix-fig11/ShareGPT/llumnix', 600, { total_blocks: 300 }) },
  { name: 'vllm-v1 without prefix caching', config: config('llumnix-fig11/ShareGPT/llumnix', 300, { total_blocks: 300, engine: { kind: 'vllm-v1', enable_prefix_caching: false } }) },
];

for (const { name, config: c } of CASES) {
  test(`${name}: counting blocks gives the run of block ids, to the bit`, (t) => {
    t.false(keptIds((afterEvent) => simulate(c, { afterEvent })), 'the default counts blocks');
    t.true(keptIds((afterEvent) => simulate(c, { afterEvent, blockIds: true })), 'blockIds: true keeps ids');
    const counted = simulate(c, { checkInvariants: true });
    const withIds = simulate(c, { checkInvariants: true, blockIds: true });
    t.deepEqual([...counted.records.requests], [...withIds.records.requests]);
    t.deepEqual([...counted.records.migrations], [...withIds.records.migrations]);
    t.deepEqual(summarize(counted.records).summary, summarize(withIds.records).summary);
    t.true([...counted.records.requests].some((r) => r.preemptions > 0), 'preemptions happened (the hard path)');
    if (name.startsWith('llumnix')) t.true([...counted.records.migrations].some((m) => m.status === 'committed'), 'migrations committed');
  });
}

test('prefix caching keeps block ids: the cache is keyed by them', (t) => {
  const c = config('llumnix-fig11/ShareGPT/llumnix', 50, { engine: { kind: 'vllm-v1', enable_prefix_caching: true } });
  t.true(keptIds((afterEvent) => simulate(c, { afterEvent })));
});
