/**
 * npm run bench:dispatch — what dispatch costs on a large fleet: the ShareGPT Llumnix preset
 * (migration on) with its dispatch replaced by `least-outstanding` (live view, Vidur's lor),
 * `least-outstanding` reading reports, and `random`, at 10k requests × 256 instances and 20k ×
 * 1,024, the arrival rate scaled with the instance count (the preset's load per instance).
 * `random-scaling` is `random` on a fleet that scales out and in all run long (`avg_load`
 * scaling checked every 2 s from the start, 5 s start-up, up to twice the instances): 29–43 %
 * of its arrivals find an instance starting or draining (docs/performance.md, "Tenth round").
 * Each point runs in its own child process; the table gives the seconds and the CPU seconds of
 * `simulate` alone (no startup, no results written), so two trees compare like for like
 * (docs/performance.md, "Eighth round"). A benchmark, not a test: the load average is printed
 * beside every row, and nothing fails on a slow machine.
 *
 * Flags: --points 10000x256,20000x1024, --dispatch least-outstanding,random (names below),
 * --repeats N (the whole list N times, interleaved).
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseRunConfig, simulate, type RunConfigInput } from '../sim/index.ts';
import { pointList, scaledPreset } from './scaled-preset.ts';
import { timed } from './timed.ts';

const DISPATCH: Record<string, Record<string, unknown>> = {
  'least-outstanding': { kind: 'least-outstanding' },
  'least-outstanding-reports': { kind: 'least-outstanding', reads: 'reports' },
  random: { kind: 'random' },
  'load-live': { kind: 'load', reads: 'live' },
  'random-scaling': { kind: 'random' },
};

/** Dispatch kinds measured on a fleet that keeps scaling (the preset has no scaling). */
const SCALING = new Set(['random-scaling']);

/** `config` with auto-scaling that keeps some instances warming up or draining through the run. */
function keepScaling(config: RunConfigInput, instances: number): RunConfigInput {
  return {
    ...config,
    cluster: { ...config.cluster, startup_s: 5 },
    scheduler: { ...config.scheduler, scaling: { kind: 'avg_load', scale_up_threshold: 40, interval_s: 2, first_check_s: 0, min_instances: 1, max_instances: 2 * instances } },
  } as RunConfigInput;
}

const { values } = parseArgs({
  options: {
    points: { type: 'string', default: '10000x256,20000x1024' },
    dispatch: { type: 'string', default: 'least-outstanding,least-outstanding-reports,random,random-scaling' },
    repeats: { type: 'string', default: '1' },
    point: { type: 'string' },
  },
});

const PRESET = 'llumnix-fig11/ShareGPT/llumnix';

interface PointResult {
  readonly simulate_s: number;
  readonly cpu_s: number;
  readonly events: number;
}

function runPoint(dispatch: string, requests: number, instances: number): PointResult {
  const preset = scaledPreset(PRESET, requests, instances, DISPATCH[dispatch]);
  const config = parseRunConfig(SCALING.has(dispatch) ? keepScaling(preset, instances) : preset);
  const run = timed(() => simulate(config, { keepRequests: false }));
  return { simulate_s: run.seconds, cpu_s: run.cpu_s, events: run.value.events };
}

if (values.point !== undefined) {
  const [dispatch, requests, instances] = values.point.split(',');
  process.stdout.write(JSON.stringify(runPoint(dispatch as string, Number(requests), Number(instances))));
} else {
  const points = pointList('bench:dispatch', values.points);
  const kinds = values.dispatch.split(',');
  for (const kind of kinds) if (DISPATCH[kind] === undefined) throw new Error(`bench:dispatch: unknown --dispatch ${JSON.stringify(kind)}, expected one of ${Object.keys(DISPATCH).join(', ')}`);
  const script = fileURLToPath(import.meta.url);
  console.log('dispatch                    point         simulate s   cpu s   events     load (1, 5, 15 min)');
  for (let round = 0; round < Number(values.repeats); round++) {
    for (const [requests, instances] of points) {
      for (const kind of kinds) {
        const child = spawnSync(process.execPath, ['--import=tsx', script, '--point', `${kind},${requests},${instances}`], { encoding: 'utf8', maxBuffer: 1 << 20 });
        if (child.status !== 0) throw new Error(`bench:dispatch: point ${kind} ${requests}x${instances} failed:\n${child.stderr}`);
        const r = JSON.parse(child.stdout) as PointResult;
        const load = loadavg().map((l) => l.toFixed(2)).join(' ');
        console.log(`${kind.padEnd(27)} ${`${requests}x${instances}`.padEnd(13)} ${r.simulate_s.toFixed(2).padStart(10)} ${r.cpu_s.toFixed(2).padStart(7)} ${String(r.events).padStart(9)}     ${load}`);
      }
    }
  }
}
