import test from 'ava';
import { parseRunConfig, planMemory, type RunConfigInput } from '../../sim/index.ts';

const base: RunConfigInput = {
  scheduler: { dispatch: { kind: 'load' } },
  workload: { num_requests: 10, arrival: { kind: 'poisson', rate_per_s: 1 }, lengths: { prompt: { kind: 'fixed', tokens: 10 }, output: { kind: 'fixed', tokens: 10 } } },
};

/** Llama-2-70B as Vidur counts its parameters (decoder layers only: 427,819,008 per GPU-layer at TP2 × 80 × 2). */
const LLAMA2_70B = { name: 'llama-2-70b', layers: 80, kv_heads: 8, head_dim: 128, dtype_bytes: 2, parameters_billions: 68.45104128 };

test("Vidur's planner: Llama-2-70B TP2 on 80 GB at 0.9, whole 4096-token requests → 13 slots × 256 blocks = 3,328", (t) => {
  const config = parseRunConfig({ ...base, model: LLAMA2_70B, cluster: { gpu: { memory_gib: 80, utilization: 0.9, tensor_parallel: 2, round_down_to_requests_of_tokens: 4096 } } });
  t.is(config.cluster.total_blocks, 3328);
  // Without Vidur's rounding vLLM keeps every whole block: 8.858e9 bytes / 2,621,440 bytes per block per GPU.
  const vllm = parseRunConfig({ ...base, model: LLAMA2_70B, cluster: { gpu: { memory_gib: 80, utilization: 0.9, tensor_parallel: 2 } } });
  t.is(vllm.cluster.total_blocks, 3379);
});

test('the plan splits weights and KV heads over tensor-parallel GPUs and subtracts the activation reserve', (t) => {
  const gpu = { memory_gib: 10, utilization: 1, tensor_parallel: 2, activation_reserve_gib: 1 };
  const model = { layers: 2, kv_heads: 4, head_dim: 64, dtype_bytes: 2, parameters_billions: 2 };
  // 10 GiB − 2e9 · 2 B / 2 GPUs − 1 GiB = 7,663,676,416 B; a block holds 2 · 2 layers · 2 heads · 64 · 2 B · 16 = 16,384 B.
  const plan = planMemory(gpu, model, 16);
  if (typeof plan === 'string') return t.fail(plan);
  t.is(plan.total_blocks, 467753);
  t.is(plan.kv_bytes_per_block_per_gpu, 16384);
  // fp8 weights (1 byte per parameter) leave 1e9 more bytes per GPU: 8,663,676,416 B.
  const fp8 = planMemory(gpu, { ...model, weight_bytes_per_parameter: 1 }, 16);
  t.is(typeof fp8 === 'string' ? -1 : fp8.total_blocks, 528788);
  // More GPUs than KV heads replicate the heads (⌈4 / 8⌉ = 1 head per GPU).
  const wide = planMemory({ ...gpu, tensor_parallel: 8 }, model, 16);
  t.is(typeof wide === 'string' ? -1 : wide.kv_bytes_per_block_per_gpu, 8192);
});

test('an explicit total_blocks wins over the plan; no gpu keeps the 792 default; config.json keeps total_blocks second', (t) => {
  const given = parseRunConfig({ ...base, model: LLAMA2_70B, cluster: { total_blocks: 1000, gpu: { memory_gib: 80, tensor_parallel: 2 } } });
  t.is(given.cluster.total_blocks, 1000);
  const plain = parseRunConfig(base);
  t.is(plain.cluster.total_blocks, 792);
  t.deepEqual(Object.keys(plain.cluster).slice(0, 3), ['instances', 'total_blocks', 'watermark_fraction']);
  t.false('gpu' in plain.cluster);
});

test('a plan that cannot work names the field and why', (t) => {
  t.throws(() => parseRunConfig({ ...base, cluster: { gpu: { memory_gib: 24 } } }), { message: /cluster\.gpu.*model\.parameters_billions is needed/ });
  t.throws(() => parseRunConfig({ ...base, model: { ...LLAMA2_70B }, cluster: { gpu: { memory_gib: 80 } } }), {
    message: /Expected cluster\.gpu to be room for at least one KV block per GPU: 72\.00 GiB usable \(memory_gib × utilization\) − 127\.50 GiB weights \(÷ tp 1\)/,
  });
  t.throws(() => parseRunConfig({ ...base, cluster: { gpu: { memory_gib: 80, utilization: 1.5 } } }), { message: /cluster\.gpu\.utilization <= 1, received 1\.5/ });
  const vidur = { kind: 'vidur', mlp: 'm.csv', attention: 'a.csv', tp: 2 } as const;
  t.throws(() => parseRunConfig({ ...base, model: { ...LLAMA2_70B, perf: vidur }, cluster: { gpu: { memory_gib: 80, tensor_parallel: 4 } } }), { message: /model\.perf\.tp to be cluster\.gpu\.tensor_parallel \(4\), received 2/ });
});
