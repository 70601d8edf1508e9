import test from 'ava';
import { parseRunConfig, simulate, type RunConfigInput } from '../../sim/index.ts';

const config = (seed: number, scheduler: RunConfigInput['scheduler']): RunConfigInput => ({
  name: 'invariants',
  seed,
  // A small, memory-tight fleet so preemptions and migrations both happen often.
  cluster: { instances: 4, total_blocks: 120, max_num_batched_tokens: 2048 },
  migration: { max_stages: 3 },
  scheduler,
  workload: {
    num_requests: 400,
    arrival: { kind: 'gamma', rate_per_s: 8, cv: 3 },
    lengths: { prompt: { kind: 'zipf', mean_tokens: 128, range_tokens: 1024 }, output: { kind: 'zipf', mean_tokens: 128, range_tokens: 512 } },
  },
});

const llumnix = {
  dispatch: { kind: 'load' },
  pairing: { kind: 'defrag', migrate_threshold: 3 },
  selector: { kind: 'SR' },
  trigger: { kind: 'every-reports', reports_per_instance: 1 },
} as const;

for (const seed of [1, 2, 3]) {
  test(`randomized run (seed ${seed}): blocks balance, no request lost or finished twice, tokens monotone`, (t) => {
    const generated = new Map<number, number>();
    const finishedAt = new Map<number, number>();
    let checks = 0;
    const result = simulate(parseRunConfig(config(seed, llumnix)), {
      checkInvariants: true,
      afterEvent: (cluster) => {
        for (const instance of cluster.instances) instance.engine.checkBlocks();
        for (const r of cluster.requests) {
          const before = generated.get(r.id) ?? 0;
          if (r.generated < before) t.fail(`request ${r.id} lost tokens: ${before} → ${r.generated}`);
          if (r.generated > r.output_tokens) t.fail(`request ${r.id} produced ${r.generated} > ${r.output_tokens}`);
          generated.set(r.id, r.generated);
          if (r.finish_s !== undefined) {
            const prior = finishedAt.get(r.id);
            if (prior !== undefined && prior !== r.finish_s) t.fail(`request ${r.id} finished twice`);
            finishedAt.set(r.id, r.finish_s);
          }
        }
        checks++;
      },
    });
    t.true(checks > 1000);
    t.is(result.requests.length, 400);
    const served = result.requests.filter((r) => r.finish_s !== undefined);
    t.is(served.length + result.rejections.length, 400);
    for (const r of served) t.is(r.generated, r.output_tokens);
    // The scenario must exercise what it claims to check.
    t.true(result.requests.some((r) => r.preemptions > 0), 'no preemption happened');
    t.true(result.migrations.some((m) => m.status === 'committed'), 'no migration committed');
  });
}
