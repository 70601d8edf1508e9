// Engine (model runner) benchmark on the CPU: decode tokens/s at batch 1, 4, 16, 64 and prefill
// tokens/s on a random Qwen2-0.5B-shaped model (bf16 weights) made in memory from a seed,
// each printed beside the physical bound measured in the same run:
//   decode bound  = batch x memory read bandwidth / weight bytes read per step
//   prefill bound = FMA peak / matmul flops per token
//   npm run bench:engine -- [--layers 24] [--threads N] [--steps 4] [--prefill-tokens 128] [--context 64] [--seed 1]
// --layers below 24 shrinks the model (the embedding / LM head stays full size) when memory or
// time is short. Every step is timed alone; tokens/s is given for the fastest step ("best")
// and the median step, because on a shared machine the median mostly measures the scheduler,
// and per CPU second (tokens x threads / CPU seconds used, see `timed`).
// The bounds are measured the same way (fastest whole pass over a buffer as large as the
// weights / fastest FMA burst, see cuda/cpu_probe.h). Decode steps start at --context positions of zero-filled KV: only the time
// is measured, and attention over zeros costs what attention over real K/V costs.
import { parseArgs } from 'node:util';
import os from 'node:os';
import { KvBlockPool, loadAddon } from '../backend/native/index.ts';
import { ModelRunner, tensorSlots, type ForwardSequence, type RunnerTensor } from '../backend/engine/runner/index.ts';
import type { ModelArch } from '../backend/model/arch.ts';

const { values: a } = parseArgs({ options: {
  layers: { type: 'string', default: '24' }, threads: { type: 'string', default: String(os.availableParallelism()) },
  steps: { type: 'string', default: '6' }, 'prefill-tokens': { type: 'string', default: '128' },
  context: { type: 'string', default: '64' }, seed: { type: 'string', default: '1' },
} });
const layers = Number(a.layers), threads = Number(a.threads), steps = Number(a.steps);
const prefillTokens = Number(a['prefill-tokens']), context = Number(a.context);
let seed = Number(a.seed) >>> 0 || 1;

const arch: ModelArch = {
  arch: 'qwen2', vocab_size: 151936, hidden_size: 896, intermediate_size: 4864, num_hidden_layers: layers,
  num_attention_heads: 14, num_key_value_heads: 2, head_dim: 64, rms_norm_eps: 1e-6, rope_theta: 1e6,
  rope_scaling: { kind: 'none' }, max_position_embeddings: 32768, tie_word_embeddings: true, attention_bias: true,
};

// bf16 values of magnitude in [2^-7, 2^-6) with random sign and mantissa (xorshift32 from the seed).
function randomBf16(n: number, constant?: number): Uint8Array {
  const words = new Uint32Array(Math.ceil(n / 2));
  if (constant !== undefined) words.fill(constant * 0x10001);
  else for (let i = 0; i < words.length; i++) {
    seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
    words[i] = ((seed & 0x807f807f) | 0x3c003c00) >>> 0;
  }
  return new Uint8Array(words.buffer, 0, n * 2);
}

const t0 = performance.now();
const tensors = new Map<string, RunnerTensor>();
let matmulParams = 0;
for (const s of tensorSlots(arch)) {
  if (!s.used) continue;
  const n = s.shape.reduce((p, d) => p * d, 1);
  tensors.set(s.name, { dtype: 'bf16', shape: s.shape, data: randomBf16(n, s.name.endsWith('norm.weight') ? 0x3f80 : undefined) });
  if (s.shape.length === 2 && !s.name.includes('embed')) matmulParams += n;
}
matmulParams += arch.vocab_size * arch.hidden_size; // tied LM head
const weightBytesPerStep = matmulParams * 2;
console.log(`model: Qwen2-0.5B shape, ${layers} layers, bf16, ${(weightBytesPerStep / 1e9).toFixed(3)} GB of matmul weights per step (built in ${((performance.now() - t0) / 1e3).toFixed(1)} s)`);

const blockSize = 16;
const batches = [1, 4, 16, 64];
const perSeqBlocks = Math.ceil((context + steps + 2) / blockSize);
const prefillBlocks = Math.ceil(prefillTokens / blockSize);
const pool = new KvBlockPool({ numLayers: layers, numBlocks: 64 * perSeqBlocks + prefillBlocks, blockSize, numKvHeads: 2, headDim: 64, dtype: 'bf16' });
const runner = ModelRunner.create({ arch, tensors: (n) => tensors.get(n), kvPool: pool, threads });
const addon = loadAddon();
console.log(`runner: ${runner.kernel} kernels, ${runner.threads} threads; CPU: ${os.cpus()[0]?.model ?? '?'}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (shared machine: figures are noisy)`);

const peaks = await addon.cpuPeaks(threads, Math.max(weightBytesPerStep, 256 << 20), 4);
console.log(`measured bounds: memory read ${(peaks.readBytesPerSecond / 1e9).toFixed(1)} GB/s, FMA peak ${(peaks.flopsPerSecond / 1e9).toFixed(1)} GFLOP/s (${peaks.fmaIsa}, ${threads} threads)`);

const table = (i: number) => Array.from({ length: perSeqBlocks }, (_, k) => i * perSeqBlocks + k);
const rows: string[][] = [['phase', 'batch', 'tokens/s best', 'tokens/s median', 'tokens/s per CPU', 'bound tokens/s', '% of bound (best)', '% of bound (per CPU)', 'ms/step best']];
const decodeRate = new Map<number, number>();
// CPU seconds this process spent in the timed steps; tokens x threads / CPU seconds is the
// rate had the threads had their cores to themselves (contention-robust, slightly optimistic:
// a thread blocked waiting for another costs no CPU time).
let cpuSeconds = 0;
async function timed(run: () => Promise<unknown>): Promise<number> {
  const c = process.cpuUsage();
  const s = performance.now();
  await run();
  const d = process.cpuUsage(c);
  cpuSeconds += (d.user + d.system) / 1e6;
  return (performance.now() - s) / 1e3;
}
const perCpu = (tokens: number) => (tokens * threads) / cpuSeconds;
const logitsOut = new Float32Array(64 * arch.vocab_size); // reused: a step loop would not allocate per step
const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)]!;
for (const b of batches) {
  const stepAt = (k: number): ForwardSequence[] => Array.from({ length: b }, (_, i) => ({ tokens: [(i * 31 + k) % arch.vocab_size], startPos: context + k, blockTable: table(i), wantLogits: true }));
  await runner.forward(stepAt(0), { logits: logitsOut }); // warm-up: page in weights, size scratch
  const secs: number[] = [];
  cpuSeconds = 0;
  for (let k = 1; k <= steps; k++) secs.push(await timed(() => runner.forward(stepAt(k), { logits: logitsOut })));
  const best = Math.min(...secs);
  const bound = (b * peaks.readBytesPerSecond) / weightBytesPerStep;
  const cpuRate = perCpu(b * steps);
  decodeRate.set(b, b / best);
  rows.push(['decode', String(b), (b / best).toFixed(1), (b / median(secs)).toFixed(1), cpuRate.toFixed(1), bound.toFixed(1), ((100 * b) / best / bound).toFixed(0), ((100 * cpuRate) / bound).toFixed(0), (best * 1e3).toFixed(0)]);
}
{
  const tokens = Array.from({ length: prefillTokens }, (_, i) => (i * 7919) % arch.vocab_size);
  const blocks = Array.from({ length: prefillBlocks }, (_, k) => 64 * perSeqBlocks + k);
  const secs: number[] = [];
  cpuSeconds = 0;
  for (let k = 0; k < Math.max(2, Math.ceil(steps / 3)); k++) secs.push(await timed(() => runner.forward([{ tokens, startPos: 0, blockTable: blocks, wantLogits: true }])));
  const sec = Math.min(...secs);
  // LM head runs for the last token only; attention adds ~2 * 2 * layers * heads * head_dim * mean context per token.
  const flops = 2 * (matmulParams - arch.vocab_size * arch.hidden_size) * prefillTokens + 2 * arch.vocab_size * arch.hidden_size
    + 4 * layers * 14 * 64 * (prefillTokens * (prefillTokens + 1)) / 2;
  const bound = (peaks.flopsPerSecond * prefillTokens) / flops;
  const rate = prefillTokens / sec;
  const cpuRate = perCpu(prefillTokens * secs.length);
  rows.push(['prefill', `1 x ${prefillTokens}`, rate.toFixed(1), (prefillTokens / median(secs)).toFixed(1), cpuRate.toFixed(1), bound.toFixed(1), ((100 * rate) / bound).toFixed(0), ((100 * cpuRate) / bound).toFixed(0), (sec * 1e3).toFixed(0)]);
}
const w = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const r of rows) console.log(r.map((x, c) => x.padStart(w[c]!)).join('  '));
const r1 = decodeRate.get(1)!, r16 = decodeRate.get(16)!;
console.log(`decode batch 16 / batch 1 = ${(r16 / r1).toFixed(1)}x (target >= 6x); batch 1 at ${((100 * r1 * weightBytesPerStep) / peaks.readBytesPerSecond).toFixed(0)} % of the bandwidth bound (target >= 50 %)`);
runner.free();
pool.free();
