/**
 * npm run bench:sim — simulates Llumnix Fig. 11's ShareGPT point (16 instances, 10,000
 * requests, 7.5 req/s, Llumnix with migration) and prints wall time, events per second,
 * simulated requests per wall second and peak RSS. Target on a 2-core machine: ≤ 2 s wall and
 * ≤ 500 MB. A benchmark, not a test: nothing here fails on a slow machine.
 *
 * Flags: --repeat N (default 3), --requests N (default 10000), --preset NAME.
 */
import { parseArgs } from 'node:util';
import { findPreset } from '../artifact/presets.ts';
import { summarize } from '../metrics/index.ts';
import { parseRunConfig, simulate } from '../sim/index.ts';

const { values } = parseArgs({
  options: {
    repeat: { type: 'string', default: '3' },
    requests: { type: 'string', default: '10000' },
    preset: { type: 'string', default: 'llumnix-fig11/ShareGPT/llumnix' },
  },
});
const raw = findPreset(values.preset);
const config = parseRunConfig({ ...raw, workload: { ...raw.workload, num_requests: Number(values.requests) } });

console.log(`bench:sim  ${values.preset}  ${config.workload.num_requests} requests, ${config.cluster.instances} instances`);
console.log('run  wall_s  events     events/s    requests/s(wall)  sim_makespan_s  migrations');
const walls: number[] = [];
for (let i = 0; i < Number(values.repeat); i++) {
  const started = performance.now();
  const result = simulate(config);
  const { summary } = summarize(result);
  const wall = (performance.now() - started) / 1e3;
  walls.push(wall);
  console.log(
    [
      String(i + 1).padEnd(3),
      wall.toFixed(3).padStart(7),
      String(result.events).padStart(9),
      Math.round(result.events / wall).toLocaleString('en-US').padStart(12),
      Math.round(summary.requests / wall).toLocaleString('en-US').padStart(18),
      summary.makespan_s.toFixed(0).padStart(15),
      String(summary.migrations.committed).padStart(11),
    ].join('  '),
  );
}
walls.sort((a, b) => a - b);
const peakMb = process.resourceUsage().maxRSS / 1024;
console.log(`median wall ${walls[Math.floor(walls.length / 2)]?.toFixed(3)} s (target ≤ 2 s); peak RSS ${peakMb.toFixed(0)} MB (target ≤ 500 MB)`);
