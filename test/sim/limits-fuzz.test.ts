import test from 'ava';
import seedrandom from 'seedrandom';
import { findPreset } from '../../artifact/presets.ts';
import { summaryOf } from '../../metrics/index.ts';
import { parseRunConfig, simulate } from '../../sim/index.ts';

// Presets under random cluster limits (KV blocks, token cap, batch size, engine kind, frontend
// delays, priority-first, a client concurrency cap), each run to completion with the block
// invariants checked at every step. Caps below the KV capacity let preempted requests outgrow
// them (the vllm-v0 drop rule); a run that stalled or lost a request fails here.
const PRESETS = ['llumnix-fig11/ShareGPT/llumnix', 'llumnix-fig11/M-M/llumnix', 'llumnix-fig11/L-L/infaas++', 'llumnix-fig11/BurstGPT/round-robin', 'llumnix-fig11/S-S/llumnix'];

test('random cluster limits on every trace: each run ends, every request finishes or is rejected with a reason, blocks balance', (t) => {
  const rng = seedrandom('limits-fuzz');
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;
  const reasons = new Set<string>();
  let runs = 0;
  for (let k = 0; k < 24; k++) {
    const name = pick(PRESETS);
    const preset = findPreset(name) as Record<string, any>;
    const kind = pick(['vllm-v0', 'vllm-v0', 'vllm-v1'] as const);
    const cluster = {
      ...preset['cluster'],
      instances: 1 + Math.floor(rng() * 4),
      total_blocks: 40 + Math.floor(rng() * 400),
      max_num_batched_tokens: pick([256, 512, 1024, 2048, 12800]),
      max_num_seqs: pick([2, 4, 16, 64, 256]),
      engine: kind === 'vllm-v1' ? { kind, enable_prefix_caching: rng() < 0.5 } : { kind },
      ...(rng() < 0.3 ? { frontend: { dispatch_ms: rng() * 5, delivery_ms: rng() * 5 } } : {}),
      ...(rng() < 0.3 ? { high_priority_first: true } : {}),
    };
    const workload = { ...preset['workload'], num_requests: 150 + Math.floor(rng() * 150), ...(rng() < 0.2 ? { max_concurrency: 1 + Math.floor(rng() * 20) } : {}) };
    const label = `${name} ${JSON.stringify(cluster)} ${workload.num_requests} requests`;
    const result = simulate(parseRunConfig({ ...preset, cluster, workload }, label), { keepRequests: false, checkInvariants: true });
    const summary = summaryOf(result.records);
    t.is(summary.requests + summary.rejected, workload.num_requests, label);
    for (const reason of Object.keys(summary.rejected_by_reason ?? {})) reasons.add(reason.split(':')[0] as string);
    runs++;
  }
  t.is(runs, 24);
  t.true(reasons.has('ignored at the head of the queue'), `the drop rule was exercised (reasons seen: ${[...reasons].join(' | ')})`);
});
