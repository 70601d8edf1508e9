/**
 * npm run bench:sim — simulates Llumnix Fig. 11's ShareGPT point (16 instances, 10,000
 * requests, 7.5 req/s, Llumnix with migration) on both engines (vllm-v0 and vllm-v1, same
 * trace) and prints wall time, events per second, simulated requests per wall second, the
 * cost per simulated request and peak RSS. Targets on a 2-core machine: ≤ 2 s wall and
 * ≤ 500 MB for v0; v1 ≤ 1.5× v0's cost per request. A benchmark, not a test: nothing here
 * fails on a slow machine.
 *
 * Then the whole-process wall time of `fleetlab run` on the same preset and request count, with
 * the compiled CLI and from the sources (bench/whole-process.ts).
 *
 * Flags: --repeat N (default 3), --requests N (default 10000), --preset NAME.
 */
import { parseArgs } from 'node:util';
import { findPreset } from '../artifact/presets.ts';
import type { EngineKind } from '../engine/index.ts';
import { summarize } from '../metrics/index.ts';
import { parseRunConfig, type RunConfigInput, simulate } from '../sim/index.ts';
import { printWholeProcess } from './whole-process.ts';

const { values } = parseArgs({
  options: {
    repeat: { type: 'string', default: '3' },
    requests: { type: 'string', default: '10000' },
    preset: { type: 'string', default: 'llumnix-fig11/ShareGPT/llumnix' },
  },
});
const raw = findPreset(values.preset);

function configFor(engine: EngineKind): ReturnType<typeof parseRunConfig> {
  const cluster = { ...(raw.cluster ?? {}), engine: { kind: engine } } as RunConfigInput['cluster'];
  return parseRunConfig({ ...raw, cluster, workload: { ...raw.workload, num_requests: Number(values.requests) } });
}

const medians = new Map<EngineKind, number>();
for (const engine of ['vllm-v0', 'vllm-v1'] as const) {
  const config = configFor(engine);
  console.log(`\nbench:sim  ${values.preset}  engine ${engine}  ${config.workload.num_requests} requests, ${config.cluster.instances} instances`);
  console.log('run  wall_s  events     events/s    requests/s(wall)  us/request  sim_makespan_s  preemptions  migrations');
  const perRequest: number[] = [];
  for (let i = 0; i < Number(values.repeat); i++) {
    const started = performance.now();
    const result = simulate(config);
    const { summary } = summarize(result.records);
    const wall = (performance.now() - started) / 1e3;
    const us = (wall * 1e6) / summary.requests;
    perRequest.push(us);
    console.log(
      [
        String(i + 1).padEnd(3),
        wall.toFixed(3).padStart(7),
        String(result.events).padStart(9),
        Math.round(result.events / wall).toLocaleString('en-US').padStart(12),
        Math.round(summary.requests / wall).toLocaleString('en-US').padStart(18),
        us.toFixed(0).padStart(10),
        summary.makespan_s.toFixed(0).padStart(15),
        String(summary.preemptions).padStart(11),
        String(summary.migrations.committed).padStart(11),
      ].join('  '),
    );
  }
  perRequest.sort((a, b) => a - b);
  medians.set(engine, perRequest[Math.floor(perRequest.length / 2)] as number);
}
const v0 = medians.get('vllm-v0') as number;
const v1 = medians.get('vllm-v1') as number;
const peakMb = process.resourceUsage().maxRSS / 1024;
console.log(`\nmedian cost per simulated request: v0 ${v0.toFixed(0)} us, v1 ${v1.toFixed(0)} us, v1/v0 ${(v1 / v0).toFixed(2)} (target ≤ 1.5)`);
console.log(`peak RSS ${peakMb.toFixed(0)} MB (target ≤ 500 MB)`);
printWholeProcess(values.preset, Number(values.requests), Number(values.repeat));
