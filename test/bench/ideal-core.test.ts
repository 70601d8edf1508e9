import test from 'ava';
import seedrandom from 'seedrandom';
import { DispatchHeap } from '../../bench/ideal-core/dispatch-heap.ts';
import { EventHeap } from '../../bench/ideal-core/event-heap.ts';
import { runIdeal } from '../../bench/ideal-core/fleet.ts';
import { runIdealObjects } from '../../bench/ideal-core/fleet-objects.ts';
import { idealInputs } from '../../bench/ideal-core/from-config.ts';
import { projectedRatio } from '../../bench/ideal-core/projection.ts';
import { scaledPreset } from '../../bench/scaled-preset.ts';
import { LLAMA_7B_A10 } from '../../sim/perf/fitted.ts';
import { parseRunConfig, simulate } from '../../sim/index.ts';
import { summaryOf } from '../../metrics/index.ts';

test('the event heap pops in (time, order) order through interleaved pushes and pops', (t) => {
  const rng = seedrandom('event-heap');
  const heap = new EventHeap(2);
  const pending: [number, number, number][] = [];
  let popped = 0;
  for (let k = 0; k < 5000; k++) {
    if (pending.length === 0 || rng() < 0.6) {
      const entry: [number, number, number] = [Math.floor(rng() * 50), k, k * 7];
      heap.push(...entry);
      pending.push(entry);
      continue;
    }
    pending.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const [time, order, payload] = pending.shift() as [number, number, number];
    t.deepEqual([heap.topTime, heap.topOrder, heap.topPayload], [time, order, payload]);
    heap.pop();
    popped++;
  }
  t.is(heap.size, pending.length);
  t.true(popped > 1000);
});

test('the dispatch heap answers what a scan of (score, dispatched, id) would, scores unused until every instance has reported (load\'s warm-up)', (t) => {
  const rng = seedrandom('dispatch-heap');
  const n = 37;
  const heap = new DispatchHeap(n);
  const score = new Array<number>(n).fill(Number.POSITIVE_INFINITY);
  const reported = new Array<boolean>(n).fill(false);
  const dispatched = new Array<number>(n).fill(0);
  let warm = 0;
  for (let k = 0; k < 3000; k++) {
    const instance = Math.floor(rng() * n);
    if (rng() < 0.5) {
      // Few distinct scores, so the tie rules decide often.
      score[instance] = rng() < 0.1 ? Number.POSITIVE_INFINITY : Math.floor(rng() * 5);
      reported[instance] = true;
      heap.rescore(instance, score[instance] as number);
    } else {
      dispatched[instance] = (dispatched[instance] as number) + 1;
      heap.dispatched(instance);
    }
    const warmingUp = reported.includes(false);
    if (warmingUp) warm++;
    const scoreOf = (i: number): number => (warmingUp ? 0 : (score[i] as number));
    let best = 0;
    for (let i = 1; i < n; i++) {
      const [si, sb] = [scoreOf(i), scoreOf(best)];
      if (si > sb || (si === sb && (dispatched[i] as number) < (dispatched[best] as number))) best = i;
    }
    t.is(heap.best, best, `after operation ${k}`);
  }
  t.true(warm > 50 && warm < 2900, `${warm} operations in warm-up`);
});

const prices = { ...LLAMA_7B_A10, step_overhead_ms: 4 };
const limits = { total_blocks: 100, block_size_tokens: 16, watermark_blocks: 1, max_num_batched_tokens: 4096, max_num_seqs: 8 };

test('one request: a prefill step, then one decode step per further token, priced by the fitted model', (t) => {
  const workload = { arrival_s: Float64Array.of(1), prompt_tokens: Int32Array.of(16), output_tokens: Int32Array.of(3) };
  const result = runIdeal(workload, 1, limits, prices);
  const prefill = (4 + 6 + 0.2 * 16 + 5e-6 * 16 * 16) / 1e3;
  // The prefill's token makes 17: the first decode takes a second block, then holds 17, then 18.
  const decode = (context: number): number => (4 + 39.7 + 0.3 + 0.0004 * context) / 1e3;
  t.is(result.finished, 1);
  t.is(result.events, 7, 'the arrival, three step starts and three step ends');
  t.deepEqual([result.prefill_steps, result.decode_steps, result.preemptions], [1, 2, 0]);
  t.true(Math.abs(result.mean_ttft_s - prefill) < 1e-12);
  t.true(Math.abs(result.mean_e2e_s - (prefill + decode(17) + decode(18))) < 1e-12);
});

test('a request larger than the cache above the watermark is rejected, not queued forever', (t) => {
  const workload = { arrival_s: Float64Array.of(0, 0.5), prompt_tokens: Int32Array.of(100 * 16, 10), output_tokens: Int32Array.of(2, 2) };
  const result = runIdeal(workload, 2, limits, prices);
  t.deepEqual([result.rejected, result.finished], [1, 1]);
  // A prompt that fits but whose output would not (the simulator's admissionError rejects it).
  const long = { arrival_s: Float64Array.of(0, 0.5), prompt_tokens: Int32Array.of(80 * 16, 10), output_tokens: Int32Array.of(20 * 16, 2) };
  t.deepEqual(runIdeal(long, 1, limits, prices), runIdealObjects(long, 1, limits, prices));
  t.deepEqual([runIdeal(long, 1, limits, prices).rejected, runIdeal(long, 1, limits, prices).finished], [1, 1]);
});

test('preemption by recompute when the blocks run out, and every request still finishes', (t) => {
  // Four requests whose prompts fill the cache, each then growing past its blocks.
  const tight = { ...limits, total_blocks: 9, watermark_blocks: 0 };
  const workload = { arrival_s: Float64Array.of(0, 0, 0, 0), prompt_tokens: Int32Array.of(32, 32, 32, 32), output_tokens: Int32Array.of(40, 40, 40, 40) };
  const result = runIdeal(workload, 1, tight, prices);
  t.is(result.finished, 4);
  t.true(result.preemptions > 0);
});

test("the ideal core does the real simulator's work on the preset (its bench compares like with like)", (t) => {
  const config = parseRunConfig(scaledPreset('llumnix-fig11/ShareGPT/llumnix', 3000, 8));
  const real = simulate(config, { keepRequests: true });
  const { workload, limits: presetLimits, prices: presetPrices } = idealInputs(config);
  t.is(workload.arrival_s.length, real.requests.length);
  t.deepEqual(Array.from(workload.prompt_tokens.slice(0, 20)), real.requests.slice(0, 20).map((r) => r.prompt_tokens), 'the same requests');
  const ideal = runIdeal(workload, 8, presetLimits, presetPrices);
  t.is(ideal.finished, summaryOf(real.records).requests);
  const realPerRequest = real.events / 3000;
  const idealPerRequest = ideal.events / 3000;
  // Migration stages and metric samples are events only the simulator has: a few per cent.
  t.true(Math.abs(idealPerRequest / realPerRequest - 1) < 0.05, `events per request: ideal ${idealPerRequest}, simulator ${realPerRequest}`);
});

test('the object layout makes the same decisions as the array layout (the bench compares layouts only)', (t) => {
  const config = parseRunConfig(scaledPreset('llumnix-fig11/ShareGPT/llumnix', 3000, 8));
  const { workload, limits: presetLimits, prices: presetPrices } = idealInputs(config);
  const arrays = runIdeal(workload, 8, presetLimits, presetPrices);
  t.deepEqual(runIdealObjects(workload, 8, presetLimits, presetPrices), arrays);
  t.true(arrays.preemptions > 0, 'the point exercises preemption');
  const tight = { ...limits, total_blocks: 9, watermark_blocks: 0 };
  const crowded = { arrival_s: Float64Array.of(0, 0, 0, 0), prompt_tokens: Int32Array.of(32, 32, 32, 32), output_tokens: Int32Array.of(40, 40, 40, 40) };
  t.deepEqual(runIdealObjects(crowded, 1, tight, prices), runIdeal(crowded, 1, tight, prices));
});

/** The simulator and the ideal core on the preset's dispatch alone (no migration pairs, which the ideal core does not have). */
function withoutMigration(requests: number, instances: number, cluster: Record<string, number> = {}) {
  const raw = scaledPreset('llumnix-fig11/ShareGPT/llumnix', requests, instances);
  const config = parseRunConfig({ ...raw, cluster: { ...raw.cluster, ...cluster }, scheduler: { dispatch: raw.scheduler?.dispatch } });
  const real = simulate(config, { keepRequests: true });
  const { workload, limits: presetLimits, prices: presetPrices } = idealInputs(config);
  return { real, workload, presetLimits, presetPrices, ideal: runIdeal(workload, instances, presetLimits, presetPrices) };
}

/** Mean TTFT and e2e of the simulator's finished requests, summed in request order as the ideal core sums. */
function realMeans(requests: readonly { first_token_s: number | undefined; finish_s: number | undefined; arrival_s: number }[]): { finished: number; ttft: number; e2e: number } {
  let finished = 0;
  let ttft = 0;
  let e2e = 0;
  for (const r of requests) {
    if (r.finish_s === undefined) continue;
    finished++;
    ttft += (r.first_token_s as number) - r.arrival_s;
    e2e += r.finish_s - r.arrival_s;
  }
  return { finished, ttft: ttft / finished, e2e: e2e / finished };
}

test('under tight limits too (preemptions, the batch and token caps, rejections) the ideal core decides as the simulator without migration', (t) => {
  const { real, ideal } = withoutMigration(1500, 4, { total_blocks: 300, max_num_seqs: 8, max_num_batched_tokens: 2048 });
  const means = realMeans(real.requests);
  t.true(ideal.preemptions > 100 && ideal.rejected > 0, `${ideal.preemptions} preemptions, ${ideal.rejected} rejected`);
  t.deepEqual([ideal.finished, ideal.rejected, ideal.mean_ttft_s, ideal.mean_e2e_s], [means.finished, real.requests.length - means.finished, means.ttft, means.e2e]);
});

test('without migration the ideal core makes the simulator\'s decisions: the same mean TTFT and e2e to the last bit', (t) => {
  // Every dispatch, admission, preemption and step price must match for the float sums to match.
  // 48 instances so that `load`'s warm-up (until every instance has reported) spans many arrivals.
  const { real, workload, presetLimits, presetPrices, ideal } = withoutMigration(3000, 48);
  const means = realMeans(real.requests);
  t.is(ideal.finished, real.requests.length);
  t.deepEqual([ideal.finished, ideal.mean_ttft_s, ideal.mean_e2e_s], [means.finished, means.ttft, means.e2e]);
  // The object layout too, here through a warm-up of 48 instances.
  t.deepEqual(runIdealObjects(workload, 48, presetLimits, presetPrices), ideal);
});

test('the ideal core refuses a config whose engine it does not model (a padded prefill budget)', (t) => {
  const raw = scaledPreset('llumnix-fig11/ShareGPT/llumnix', 100, 2);
  const padded = parseRunConfig({ ...raw, cluster: { ...raw.cluster, engine: { kind: 'vllm-v0', prefill_token_budget: 'padded' } } });
  t.throws(() => idealInputs(padded), { message: /prefill_token_budget must be absent or "sum", received "padded"/ });
  t.notThrows(() => idealInputs(parseRunConfig({ ...raw, cluster: { ...raw.cluster, engine: { kind: 'vllm-v0', prefill_token_budget: 'sum' } } })));
});

test('the ideal core refuses what it does not model: priorities, high_priority_first, a frontend delay, contention, max_concurrency', (t) => {
  const raw = scaledPreset('llumnix-fig11/ShareGPT/llumnix', 100, 2) as Record<string, any>;
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...raw, workload: { ...raw['workload'], priority: { high_ratio: 0.5 } } }, /every request must have normal priority .*is "high"/],
    [{ ...raw, cluster: { ...raw['cluster'], high_priority_first: true } }, /cluster\.high_priority_first must be absent .*received true/],
    [{ ...raw, cluster: { ...raw['cluster'], frontend: { dispatch_ms: 2 } } }, /cluster\.frontend must be absent/],
    [{ ...raw, cluster: { ...raw['cluster'], contention: { step_factors: [1, 1.2] } } }, /cluster\.contention must be absent/],
    [{ ...raw, workload: { ...raw['workload'], max_concurrency: 4 } }, /workload\.max_concurrency must be absent .*received 4/],
  ];
  for (const [input, message] of cases) t.throws(() => idealInputs(parseRunConfig(input)), { message });
});

test('the projection: per event (real + growth) / real, per request times the events-per-request ratio (the target is per request)', (t) => {
  // docs/performance.md's figures: 474 ns per event at 100k × 16, +105 ns of growth, 95 against 84 events per request.
  const { perEvent, perRequest } = projectedRatio(474, 105, 95 / 84);
  t.is(perEvent.toFixed(3), '1.222');
  t.is(perRequest.toFixed(3), '1.381');
  t.is(projectedRatio(474, 0, 1).perRequest, 1);
});
