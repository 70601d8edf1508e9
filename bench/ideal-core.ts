/**
 * npm run bench:ideal — the least a step could cost more on a large fleet than on a small one.
 *
 * Runs the ideal core (bench/ideal-core/fleet.ts: the simulator's busiest path over typed
 * arrays, no objects, no migration) on the same workload as `bench:scale` (the ShareGPT Llumnix
 * preset, arrival rate scaled with the instance count, the same seeded generator), and the real
 * simulator at the first point. Each point runs in its own child process. It prints, per point,
 * the ideal core's ns per event and its growth over the first point, beside the work it did
 * (events per request, mean decode batch, mean TTFT) so a reader sees that both simulate the
 * same load; then what the real simulator's ratio would be if its growth per event were the
 * ideal core's: (real cost per event at the first point + ideal growth) / real cost per event,
 * and per request (the target's measure), times the events per request at the point over the
 * first point's (the ideal core's, which follow the simulator's: bench/ideal-core/projection.ts).
 * docs/performance.md ("Eleventh round") reads the numbers. A benchmark: nothing fails.
 *
 * Flags: --points 100000x16,100000x256,1000000x4096 (REQUESTSxINSTANCES), --repeats N (the
 * list N times, interleaved, medians at the end), --no-real (skip the real simulator),
 * --layout arrays,objects (the same algorithm with its state in typed arrays, fleet.ts, or in
 * objects as engine/ and sim/ hold it, fleet-objects.ts: what the layout alone costs).
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from 'simple-statistics';
import { parseRunConfig, simulate } from '../sim/index.ts';
import { summaryOf } from '../metrics/index.ts';
import { type IdealResult, runIdeal } from './ideal-core/fleet.ts';
import { runIdealObjects } from './ideal-core/fleet-objects.ts';
import { idealInputs } from './ideal-core/from-config.ts';
import { projectedRatio } from './ideal-core/projection.ts';
import { pointList, positiveIntegers, scaledPreset } from './scaled-preset.ts';
import { timed } from './timed.ts';

const PRESET = 'llumnix-fig11/ShareGPT/llumnix';
const TARGET_RATIO = 1.5;

const { values } = parseArgs({
  options: {
    points: { type: 'string', default: '100000x16,100000x256,1000000x4096' },
    repeats: { type: 'string', default: '1' },
    'no-real': { type: 'boolean', default: false },
    point: { type: 'string' },
    real: { type: 'boolean', default: false },
    layout: { type: 'string', default: 'arrays' },
  },
});

interface IdealPoint extends IdealResult {
  readonly requests: number;
  readonly instances: number;
  readonly seconds: number;
  readonly cpu_s: number;
}

interface RealPoint {
  readonly events: number;
  readonly seconds: number;
  readonly cpu_s: number;
  readonly mean_ttft_s: number;
  readonly mean_e2e_s: number;
}

function configOf(requests: number, instances: number) {
  return parseRunConfig(scaledPreset(PRESET, requests, instances));
}

const LAYOUTS = { arrays: runIdeal, objects: runIdealObjects } as const;
type Layout = keyof typeof LAYOUTS;

function layoutsOf(text: string): Layout[] {
  return text.split(',').map((name) => {
    if (!(name in LAYOUTS)) throw new Error(`bench:ideal: --layout expects ${Object.keys(LAYOUTS).join(' or ')} separated by commas, received ${JSON.stringify(name)}`);
    return name as Layout;
  });
}

function idealPoint(requests: number, instances: number, layout: Layout): IdealPoint {
  const { workload, limits, prices } = idealInputs(configOf(requests, instances));
  const run = timed(() => LAYOUTS[layout](workload, instances, limits, prices));
  return { ...run.value, requests, instances, seconds: run.seconds, cpu_s: run.cpu_s };
}

function realPoint(requests: number, instances: number): RealPoint {
  const config = configOf(requests, instances);
  const run = timed(() => simulate(config, { keepRequests: false }));
  const summary = summaryOf(run.value.records);
  return { events: run.value.events, seconds: run.seconds, cpu_s: run.cpu_s, mean_ttft_s: summary.prefill_latency_s.mean, mean_e2e_s: summary.request_latency_s.mean };
}

function child<T>(args: string[]): T {
  const run = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) throw new Error(`bench:ideal: point ${args.join(' ')} failed:\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop() as string) as T;
}

if (values.point !== undefined) {
  const [requests, instances] = positiveIntegers('bench:ideal', values.point);
  console.log(JSON.stringify(values.real ? realPoint(requests as number, instances as number) : idealPoint(requests as number, instances as number, layoutsOf(values.layout)[0] as Layout)));
} else {
  main();
}

function main(): void {
  const points = pointList('bench:ideal', values.points);
  const layouts = layoutsOf(values.layout);
  const [repeats] = positiveIntegers('bench:ideal', values.repeats);
  if (points.length === 0) throw new Error('bench:ideal: --points lists no point');
  const [firstRequests, firstInstances] = points[0] as [number, number];
  console.log(`bench:ideal — ${PRESET}, rate scaled with instances; load average at start ${loadavg()[0]?.toFixed(2)}`);
  // growth[layout][point]: ns per event (CPU) beyond the layout's first point, one per round.
  const growth = layouts.map(() => points.map((): number[] => []));
  const ratios = layouts.map(() => points.map((): number[] => []));
  // events per request at each point over the first point's (same layout, same round).
  const eventsRatios = layouts.map(() => points.map((): number[] => []));
  const realPerEvent: number[] = [];
  for (let round = 0; round < (repeats as number); round++) {
    console.log(`\nround ${round + 1}`);
    console.log('layout   point              events/req  decode batch  TTFT s  E2E s  wall ns/event  CPU ns/event  growth ns/event  ratio  load');
    layouts.forEach((layout, l) => {
      let base = 0;
      let baseEvents = 0;
      points.forEach(([requests, instances], k) => {
        const p = child<IdealPoint>(['--point', `${requests},${instances}`, '--layout', layout]);
        const perEvent = (p.cpu_s * 1e9) / p.events;
        if (k === 0) {
          base = perEvent;
          baseEvents = p.events / p.requests;
        }
        growth[l]?.[k]?.push(perEvent - base);
        ratios[l]?.[k]?.push(perEvent / base);
        eventsRatios[l]?.[k]?.push(p.events / p.requests / baseEvents);
        console.log(
          `${layout.padEnd(8)} ${`${requests} × ${instances}`.padEnd(18)} ${(p.events / p.requests).toFixed(1).padStart(10)}  ${p.mean_decode_batch.toFixed(1).padStart(12)}  ${p.mean_ttft_s.toFixed(3).padStart(6)}  ${p.mean_e2e_s.toFixed(1).padStart(5)}  ${((p.seconds * 1e9) / p.events).toFixed(0).padStart(13)}  ${perEvent.toFixed(0).padStart(12)}  ${(perEvent - base).toFixed(0).padStart(15)}  ${(perEvent / base).toFixed(2).padStart(5)}  ${loadavg()[0]?.toFixed(2)}`,
        );
      });
    });
    if (!values['no-real']) {
      const real = child<RealPoint>(['--point', `${firstRequests},${firstInstances}`, '--real']);
      const perEvent = (real.cpu_s * 1e9) / real.events;
      realPerEvent.push(perEvent);
      console.log(`real simulator at ${firstRequests} × ${firstInstances}: ${(real.events / firstRequests).toFixed(1)} events/request, mean TTFT ${real.mean_ttft_s.toFixed(3)} s, E2E ${real.mean_e2e_s.toFixed(1)} s, ${perEvent.toFixed(0)} CPU ns/event (load ${loadavg()[0]?.toFixed(2)})`);
    }
  }
  console.log(`\nmedians over ${repeats} round(s): each layout's growth per event, and the real simulator's ratio if its growth were that layout's, per event and per request (the target's measure: ≤ ${TARGET_RATIO}×)`);
  const realBase = realPerEvent.length > 0 ? median(realPerEvent) : Number.NaN;
  layouts.forEach((layout, l) => {
    points.forEach(([requests, instances], k) => {
      if (k === 0) return;
      const g = median(growth[l]?.[k] as number[]);
      const events = median(eventsRatios[l]?.[k] as number[]);
      const bound = projectedRatio(realBase, g, events);
      const projected = Number.isNaN(bound.perEvent) ? 'n/a (--no-real)' : `${bound.perEvent.toFixed(2)}× per event, × ${events.toFixed(2)} events/request → ${bound.perRequest.toFixed(2)}× per request`;
      console.log(`${layout.padEnd(8)} ${`${requests} × ${instances}`.padEnd(18)} own ratio ${median(ratios[l]?.[k] as number[]).toFixed(2)}×, growth ${g.toFixed(0)} ns/event; real ${realBase.toFixed(0)} + ${g.toFixed(0)} ns/event → ${projected}`);
    });
  });
  console.log(`load average at end ${loadavg()[0]?.toFixed(2)}`);
}
