import test from 'ava';
import { estimateLoad, pathBandwidth, type ModelView, type NodeView } from '../../policies/placement/index.ts';
import { Band, Simulation } from '../../sim/kernel/index.ts';
import { LoadingQueue, LruCache, loaderParams, loadSeconds } from '../../sim/serverless/index.ts';

const GB = 1e9;

/**
 * The loader models against measured load times (ServerlessLLM repository benchmarks, mean of 30
 * cold loads; the paper's PyTorch numbers), not against their own constants. Tolerances are the
 * documented misfits (docs/serverlessllm.md §Calibration): the 65 GB H100 fleetlab load is 24 %
 * fast, the 16 GB H100 safetensors load 21 % slow.
 */
const MEASURED = [
  { what: 'OPT-6.7B, A5000 RAID0', bytes: 13.3 * GB, stages: [12 * GB, 25 * GB], fleetlab: 1.175, safetensors: 5.095 },
  { what: 'Llama-3.1-8B, H100 NVMe', bytes: 16.1 * GB, stages: [29.4 * GB], fleetlab: 0.678, safetensors: 4.437 },
  { what: 'Qwen3-32B, H100 NVMe', bytes: 65.5 * GB, stages: [29.4 * GB], fleetlab: 3.216, safetensors: 20.59 },
] as const;

const within = (model: number, measured: number, tolerance: number) => Math.abs(model / measured - 1) <= tolerance;

test('the fleetlab and safetensors loader models reproduce the measured load times', (t) => {
  // Mutations: io_efficiency 0.95 → 0.6, a non-pipelined fleetlab loader, or a safetensors host
  // ceiling of 7.2 GB/s each move at least one of these outside its tolerance.
  for (const m of MEASURED) {
    const fleetlab = loadSeconds(loaderParams({ kind: 'fleetlab' }), m.bytes, [...m.stages]);
    const st = loadSeconds(loaderParams({ kind: 'safetensors' }), m.bytes, [...m.stages]);
    t.true(within(fleetlab, m.fleetlab, 0.25), `${m.what}: fleetlab model ${fleetlab.toFixed(3)} s vs measured ${m.fleetlab} s`);
    t.true(within(st, m.safetensors, 0.22), `${m.what}: safetensors model ${st.toFixed(3)} s vs measured ${m.safetensors} s`);
  }
  // The speed-up the paper's loading claim is about: measured 4.3× on the A5000 OPT-6.7B.
  const a5000 = MEASURED[0];
  const ratio = loadSeconds(loaderParams({ kind: 'safetensors' }), a5000.bytes, [...a5000.stages]) / loadSeconds(loaderParams({ kind: 'fleetlab' }), a5000.bytes, [...a5000.stages]);
  t.true(within(ratio, a5000.safetensors / a5000.fleetlab, 0.15), `speed-up ${ratio.toFixed(2)}×`);
});

test("the pytorch loader model reproduces the paper's OPT-30B and LLaMA-2-70B load times", (t) => {
  // The paper: OPT-30B ≈ 34 s, LLaMA-2-70B ≈ 84 s on testbed (i) (12 GB/s RAID0). Mutation: a
  // host ceiling of 4 GB/s halves both.
  const pt = (bytes: number, gpus: number) => loadSeconds(loaderParams({ kind: 'pytorch' }), bytes, [12 * GB, 25 * GB * gpus]);
  t.true(within(pt(60 * GB, 4), 34, 0.1), `OPT-30B ${pt(60 * GB, 4).toFixed(1)} s`);
  t.true(within(pt(138 * GB, 8), 84, 0.1), `LLaMA-2-70B ${pt(138 * GB, 8).toFixed(1)} s`);
});

test('stages compose: pipelined takes the slowest stage, the others add up', (t) => {
  // Structural, on round numbers: pipelined = overhead + bytes / (eff × min stage); else Σ bytes / stage + host.
  const f = loaderParams({ kind: 'fleetlab' });
  t.true(Math.abs(loadSeconds(f, 10 * GB, [10 * GB, 20 * GB]) - loadSeconds(f, 10 * GB, [10 * GB])) < 1e-9);
  const s = loaderParams({ kind: 'safetensors' });
  t.true(loadSeconds(s, 10 * GB, [10 * GB, 20 * GB]) > loadSeconds(s, 10 * GB, [10 * GB]));
});

const node = (over: Partial<NodeView> = {}): NodeView => ({
  id: 0,
  gpus_total: 4,
  free_gpus: [0, 1, 2, 3],
  dram_models: ['a'],
  ssd_models: ['a', 'b'],
  loading_backlog_s: 0,
  bandwidth: { network_bytes_per_s: 1.25 * GB, ssd_bytes_per_s: 6 * GB, pcie_bytes_per_s_per_gpu: 25 * GB },
  load_overhead_s: 0.1,
  ...over,
});
const model = (name: string, size_gb: number, gpus = 1): ModelView => ({
  name,
  size_bytes: size_gb * GB,
  gpus_per_instance: gpus,
  resume_s_per_token: 0.001,
  resume_base_s: 0.1,
  decode_s_per_token: 0.025,
});

test('tier estimates: q + n / b of the bottleneck of the path', (t) => {
  const n = node({ loading_backlog_s: 2 });
  t.is(pathBandwidth(n, 'dram', 2), 50 * GB);
  t.is(pathBandwidth(n, 'ssd', 1), 6 * GB);
  t.is(pathBandwidth(n, 'remote', 4), 1.25 * GB);
  t.true(Math.abs(estimateLoad(n, model('a', 12.5), 'test') - (2 + 0.1 + 0.5)) < 1e-9); // DRAM, 25 GB/s
  t.true(Math.abs(estimateLoad(n, model('b', 12), 'test') - (2 + 0.1 + 2)) < 1e-9); // SSD, 6 GB/s
  t.true(Math.abs(estimateLoad(n, model('c', 12.5), 'test') - (2 + 0.1 + 10)) < 1e-9); // remote, 1.25 GB/s
});

test('the DRAM cache evicts least recently used checkpoints first', (t) => {
  const cache = new LruCache(30);
  cache.insert('a', 10);
  cache.insert('b', 10);
  cache.insert('c', 10);
  cache.touch('a');
  t.deepEqual(cache.insert('d', 15), ['b', 'c']);
  t.deepEqual(cache.keys(), ['a', 'd']);
  t.deepEqual(cache.insert('huge', 31), []);
  t.false(cache.has('huge'));
  t.is(cache.used_bytes, 25);
});

test('the loading queue runs one load at a time, in order, and reports its backlog', (t) => {
  const sim = new Simulation(0);
  const queue = new LoadingQueue(sim);
  const log: string[] = [];
  for (const [label, s] of [['x', 2], ['y', 3], ['z', 1]] as const) {
    queue.enqueue({ label, estimate_s: s, start: () => (log.push(`${label} start ${sim.now_s}`), s), done: () => log.push(`${label} done ${sim.now_s}`) });
  }
  t.is(queue.backlog_s(), 6);
  sim.at(1, Band.control, () => t.is(queue.backlog_s(), 5));
  sim.run();
  t.deepEqual(log, ['x start 0', 'x done 2', 'y start 2', 'y done 5', 'z start 5', 'z done 6']);
});
