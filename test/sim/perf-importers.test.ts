import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { StepBatch } from '../../engine/index.ts';
import { buildPerfModel, llmServingSimPerfModel, ModelConfig, parseWith, tablePerfModel, vidurPerfModel, type VidurOptions } from '../../sim/index.ts';

const near = (a: number, b: number): boolean => Math.abs(a - b) < 1e-9 * Math.max(1, Math.abs(b));

// ---- LLMServingSim: a small profile whose values are linear in every key, so the composed step is known exactly.
const DENSE = ['embedding', 'final_layernorm', 'layernorm', 'qkv_proj', 'rotary_emb', 'o_proj', 'gate_up_proj', 'act_fn', 'down_proj'];
const denseUs = (i: number, tokens: number): number => 10 * (i + 1) + tokens;
const perSeqUs = (layer: string, s: number): number => (layer === 'lm_head' ? 500 + 2 * s : 30 + s);
/** Attention (µs) of one layer: multilinear, so grid interpolation is exact. */
const attnUs = (c: number, kp: number, nd: number, kd: number): number => 1 + 0.5 * c + 0.01 * kp * (c > 0 ? 1 : 0) + 2 * nd + 0.03 * nd * kd;

function llmServingSimDir(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'fleetlab-lss-')), 'tp1');
  mkdirSync(dir);
  const dense = ['layer,tokens,time_us'];
  DENSE.forEach((layer, i) => {
    for (const t of [1, 50, 100]) dense.push(`${layer},${t},${denseUs(i, t)}`);
  });
  writeFileSync(join(dir, 'dense.csv'), dense.join('\n'));
  const per = ['layer,sequences,time_us'];
  for (const layer of ['lm_head', 'sampler']) for (const s of [1, 10]) per.push(`${layer},${s},${perSeqUs(layer, s)}`);
  writeFileSync(join(dir, 'per_sequence.csv'), per.join('\n'));
  const att = ['prefill_chunk,kv_prefill,n_decode,kv_decode,time_us'];
  for (const nd of [1, 4, 8]) for (const kd of [16, 64]) att.push(`0,0,${nd},${kd},${attnUs(0, 0, nd, kd)}`);
  for (const c of [16, 32]) for (const kp of [0, 64]) att.push(`${c},${kp},0,0,${attnUs(c, kp, 0, 0)}`);
  for (const c of [16, 32]) for (const kp of [0, 64]) for (const nd of [1, 4]) for (const kd of [16, 64]) att.push(`${c},${kp},${nd},${kd},${attnUs(c, kp, nd, kd)}`);
  writeFileSync(join(dir, 'attention.csv'), att.join('\n'));
  return dir;
}

/** The composition written out by hand (docs/profiles.md), in ms. */
function llmServingSimExpected(layers: number, batch: StepBatch): number {
  const tokens = batch.prefills.reduce((s, p) => s + p.new_tokens, 0) + batch.decodes.length;
  const sequences = batch.prefills.length + batch.decodes.length;
  const weight = (i: number): number => (i < 2 ? 1 : (i === 2 ? 2 : 1) * layers);
  const dense = DENSE.reduce((s, _l, i) => s + weight(i) * denseUs(i, tokens), 0);
  const per = perSeqUs('lm_head', sequences) + perSeqUs('sampler', sequences);
  const nd = batch.decodes.length;
  const kd = nd === 0 ? 0 : batch.decodes.reduce((s, d) => s + d.context_tokens, 0) / nd;
  const [first, ...rest] = batch.prefills;
  let attention = first === undefined ? attnUs(0, 0, nd, kd) : nd === 0 ? attnUs(first.new_tokens, first.context_tokens, 0, 0) : attnUs(first.new_tokens, first.context_tokens, nd, kd);
  for (const p of rest) attention += attnUs(p.new_tokens, p.context_tokens, 0, 0);
  return (dense + per + layers * attention) / 1000;
}

test('llmservingsim: a step is embedding + final norm + lm_head + sampler + layers × (dense layers + mixed attention)', (t) => {
  const m = llmServingSimPerfModel('lss', { dir: llmServingSimDir(), layers: 3 });
  const batches: StepBatch[] = [
    { prefills: [], decodes: [{ context_tokens: 20 }, { context_tokens: 40 }, { context_tokens: 60 }] },
    { prefills: [{ new_tokens: 24, context_tokens: 0 }], decodes: [] },
    { prefills: [{ new_tokens: 20, context_tokens: 32 }], decodes: [{ context_tokens: 30 }, { context_tokens: 50 }] },
    { prefills: [{ new_tokens: 20, context_tokens: 32 }, { new_tokens: 18, context_tokens: 0 }], decodes: [{ context_tokens: 30 }] },
  ];
  for (const b of batches) t.true(near(m.step_ms(b), llmServingSimExpected(3, b)), `${m.step_ms(b)} vs ${llmServingSimExpected(3, b)}`);
  t.is(m.step_ms({ prefills: [], decodes: [] }), 0);
});

test('llmservingsim: a missing file and a wrong header are reported once, naming the file and both headers', (t) => {
  const dir = llmServingSimDir();
  writeFileSync(join(dir, 'dense.csv'), 'name,n,latency\nact_fn,1,2\n');
  const err = t.throws(() => llmServingSimPerfModel('lss', { dir, layers: 1 }));
  t.regex(err.message, /dense\.csv:1: Expected header to be the LLMServingSim dense columns layer,tokens,time_us \(missing: layer,tokens,time_us\), received "name,n,latency"/);
  t.is(err.message.split('\n').length, 1);
  t.throws(() => llmServingSimPerfModel('lss', { dir: join(dir, 'nope'), layers: 1 }), { message: /perf\.dir to be a readable LLMServingSim dense CSV file, received ".*nope[/\\]dense\.csv"/ });
});

// ---- Vidur: a small profile (4 q heads, 2 kv heads: GQA) checked against the predictor's rules.
const OPS = ['input_layernorm', 'attn_pre_proj', 'attn_rope', 'attn_post_proj', 'post_attention_layernorm', 'mlp_up_proj', 'mlp_act', 'mlp_down_proj', 'add'];
const opMs = (i: number, tokens: number): number => 0.01 * (i + 1) + 0.001 * tokens;

function vidurFiles(): Pick<VidurOptions, 'mlp' | 'attention' | 'all_reduce'> {
  const dir = mkdtempSync(join(tmpdir(), 'fleetlab-vidur-'));
  const mlp = [[...OPS.flatMap((op) => ['min', 'median'].map((s) => `time_stats.${op}.${s}`)), 'n_head', 'n_kv_head', 'n_embd', 'n_expanded_embd', 'vocab_size', 'use_gated_mlp', 'num_tokens', 'num_tensor_parallel_workers'].join(',')];
  for (const tp of [1, 2]) for (const tokens of [8, 16, 64]) mlp.push([...OPS.flatMap((_op, i) => [0, opMs(i, tokens) * tp]), 4, 2, 256, 512, 1000, 'True', tokens, tp].join(','));
  const att = ['time_stats.attn_prefill.median,time_stats.attn_decode.median,n_embd,n_q_head,n_kv_head,block_size,num_tensor_parallel_workers,max_model_len,batch_size,prefill_chunk_size,kv_cache_size,is_prefill'];
  for (const c of [16, 64]) for (const kv of [0, 128]) att.push(`${0.1 + 0.001 * c + 0.0001 * kv},,256,4,2,16,2,4096,1,${c},${kv},True`);
  for (const b of [1, 8]) for (const kv of [64, 256]) att.push(`,${0.05 + 0.01 * b + 0.0002 * kv},256,4,2,16,2,4096,${b},0,${kv},False`);
  const ar = [',time_stats.all_reduce.median,rank,num_workers,size,collective,devices_per_node,max_devices_per_node'];
  for (const tokens of [8, 64]) ar.push(`${tokens},${0.01 + 0.001 * tokens},0,2,${tokens * 256 * 2},all_reduce,2,4`);
  const files = { mlp: join(dir, 'mlp.csv'), attention: join(dir, 'attention.csv'), all_reduce: join(dir, 'all_reduce.csv') };
  writeFileSync(files.mlp, mlp.join('\n'));
  writeFileSync(files.attention, att.join('\n'));
  writeFileSync(files.all_reduce, ar.join('\n'));
  return files;
}

const vidurOptions = (files: Pick<VidurOptions, 'mlp' | 'attention' | 'all_reduce'>): VidurOptions => ({
  ...files, tp: 2, layers: 5, kv_heads: 2, head_dim: 64, statistic: 'median', kv_granularity_tokens: 64, attention_batching_overhead_fraction: 0.1, nccl_launch_overhead_ms: 0.02,
});

test("vidur: tokens rounded up to 8, prefill at (Σ context rounded to 64, round(√Σc²)), decode at the mean context rounded to 64, ×1.1 batching, two all-reduces per layer", (t) => {
  const m = vidurPerfModel('v', vidurOptions(vidurFiles()));
  const batch: StepBatch = { prefills: [{ new_tokens: 20, context_tokens: 10 }, { new_tokens: 10, context_tokens: 0 }], decodes: [{ context_tokens: 100 }, { context_tokens: 110 }, { context_tokens: 121 }] };
  const rounded = 40; // 20 + 10 + 3 = 33 tokens → 40
  const tokenOps = OPS.reduce((s, _op, i) => s + 2 * opMs(i, rounded), 0); // tp 2 rows were written ×2
  const prefill = (0.1 + 0.001 * 22 + 0.0001 * 64) * 1.1; // √(400 + 100) = 22.4 → 22; contexts 10 → 64, 0 → 0
  const decode = (0.05 + 0.01 * 3 + 0.0002 * 128) * 1.1; // ⌊331 / 3⌋ = 110 → 128
  const allReduce = 2 * (0.01 + 0.001 * rounded + 0.02);
  t.true(near(m.step_ms(batch), 5 * (tokenOps + prefill + decode + allReduce)), `${m.step_ms(batch)}`);
  // One decode: no batching overhead; prefill_ms and decode_ms are step_ms of those batches, bit for bit.
  const one: StepBatch = { prefills: [], decodes: [{ context_tokens: 64 }] };
  t.true(near(m.step_ms(one), 5 * (OPS.reduce((s, _op, i) => s + 2 * opMs(i, 8), 0) + 0.05 + 0.01 + 0.0002 * 64 + 2 * (0.01 + 0.008 + 0.02))));
  t.is(m.decode_ms(3, 331), m.step_ms({ prefills: [], decodes: batch.decodes }));
  t.is(m.prefill_ms([30, 12]), m.step_ms({ prefills: [{ new_tokens: 30, context_tokens: 0 }, { new_tokens: 12, context_tokens: 0 }], decodes: [] }));
});

test('vidur: tp > 1 needs all_reduce; the model shape must match the profile; a tp not profiled is named', (t) => {
  const files = vidurFiles();
  t.throws(() => vidurPerfModel('v', { ...vidurOptions(files), all_reduce: undefined }), { message: /perf\.all_reduce to be a Vidur all_reduce\.csv \(tp 2 > 1/ });
  t.throws(() => vidurPerfModel('v', { ...vidurOptions(files), kv_heads: 8 }), { message: /model\.kv_heads\/head_dim to be the profile's 2 kv heads of 64, received "8 kv heads of 64"/ });
  t.throws(() => vidurPerfModel('v', { ...vidurOptions(files), tp: 4 }), { message: /perf\.tp to be a tensor-parallel degree profiled in the mlp file, received 4/ });
});

test('a Vidur or LLMServingSim file given to the table model names the header found, the header expected and the kind that reads it', (t) => {
  const files = vidurFiles();
  const err = t.throws(() => tablePerfModel('t', files.mlp));
  t.regex(err.message, /mlp\.csv:1: Expected header to be the fleetlab step-table columns phase,batch_size,tokens,latency_ms \(missing: phase,batch_size,tokens,latency_ms\), received "time_stats\.input_layernorm\.min,.*\(26 columns\)"; this is a Vidur mlp profile/);
  t.false(/undefined/.test(err.message));
  t.throws(() => tablePerfModel('t', join(llmServingSimDir(), 'attention.csv')), { message: /this is LLMServingSim's attention\.csv: give its folder as perf\.dir/ });
});

// ---- The shipped profiles drive the models directly.
const shippedLss = (): ReturnType<typeof buildPerfModel> =>
  buildPerfModel(parseWith(ModelConfig, { name: 'llama-3.1-8b', layers: 32, kv_heads: 8, perf: { kind: 'llmservingsim', dir: 'builtin:llmservingsim/RTX4090/meta-llama/Llama-3.1-8B/bf16/tp1' } }), '/');

test('shipped LLMServingSim RTX 4090 profile: plausible prices that grow with batch, context and chunk; mixed costs less than its parts', (t) => {
  const m = shippedLss();
  // One decode reads the 16 GB of bf16 weights once: ~16 ms at the 4090's ~1 TB/s.
  t.true(m.decode_ms(1, 1000) > 12 && m.decode_ms(1, 1000) < 25, `${m.decode_ms(1, 1000)}`);
  t.true(m.decode_ms(64, 64 * 2000) > m.decode_ms(64, 64 * 500));
  t.true(m.decode_ms(64, 64 * 1000) > m.decode_ms(8, 8 * 1000));
  t.true(m.prefill_ms([2048]) > m.prefill_ms([512]));
  const prefills = [{ new_tokens: 512, context_tokens: 1024 }];
  const decodes = Array.from({ length: 32 }, () => ({ context_tokens: 1500 }));
  const mixed = m.step_ms({ prefills, decodes });
  t.true(mixed > m.step_ms({ prefills, decodes: [] }) && mixed < m.step_ms({ prefills, decodes: [] }) + m.step_ms({ prefills: [], decodes }));
});

test('shipped Vidur Llama-2-70B TP2 A100 profile builds from config and prices steps; step_overhead_ms adds on top', (t) => {
  const spec = { kind: 'vidur', mlp: 'builtin:vidur/a100/llama2-70b_mlp.csv', attention: 'builtin:vidur/a100/attention_embd8192_q64_kv8_tp2.csv', all_reduce: 'builtin:vidur/a100/pairwise_nvlink_all_reduce.csv', tp: 2 };
  const m = buildPerfModel(parseWith(ModelConfig, { name: 'llama-2-70b', layers: 80, kv_heads: 8, perf: spec }), '/');
  const o = buildPerfModel(parseWith(ModelConfig, { name: 'llama-2-70b', layers: 80, kv_heads: 8, perf: { ...spec, step_overhead_ms: 2 } }), '/');
  t.true(m.decode_ms(1, 1000) > 30 && m.decode_ms(1, 1000) < 90, `${m.decode_ms(1, 1000)}`);
  t.true(m.prefill_ms([4096]) > m.prefill_ms([1024]));
  t.true(m.decode_ms(128, 128 * 3000) > m.decode_ms(16, 16 * 3000));
  t.true(near(o.decode_ms(4, 4000), m.decode_ms(4, 4000) + 2));
  // The profile is of Llama-2-70B's shape: a 7B geometry is refused.
  t.throws(() => buildPerfModel(parseWith(ModelConfig, { layers: 32, kv_heads: 32, perf: spec }), '/'), { message: /kv_heads\/head_dim/ });
});
