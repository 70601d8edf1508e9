import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRESETS } from '../../policies/index.ts';
import type { Sweep } from '../../sweep/index.ts';

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'fleetlab-sweep-'));

/** A tiny sweep: 2 systems × 2 rates on 2 instances, a few hundred requests each (< 1 s). */
export function tinySweep(requests = 200): Sweep {
  const points = [];
  for (const rate of [2, 4]) {
    for (const system of ['infaas++', 'llumnix'] as const) {
      points.push({
        id: `r${rate}-${system}`,
        labels: { system, rate },
        seed_group: `r${rate}`,
        config: {
          cluster: { instances: 2, total_blocks: 200 },
          scheduler: structuredClone(PRESETS[system]) as never,
          workload: {
            num_requests: requests,
            arrival: { kind: 'poisson' as const, rate_per_s: rate },
            lengths: { prompt: { kind: 'zipf' as const, mean_tokens: 128 }, output: { kind: 'zipf' as const, mean_tokens: 128 } },
          },
        },
      });
    }
  }
  return { name: 'tiny', base_seed: 7, points };
}
