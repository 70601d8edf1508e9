// Shared setup of the runner tests: a tiny model, a host KV pool, and helpers that run
// prefill / decode steps and compare logits.
import { KvBlockPool, type KvDtype } from '../../backend/native/index.ts';
import { ModelRunner, type ForwardSequence, type RunnerBackend, type RunnerSimd } from '../../backend/engine/runner/index.ts';
import { tinyModel, type TinyModel, type TinyOptions } from './tiny-model.ts';

export const BLOCK_SIZE = 4;

export interface Setup {
  model: TinyModel;
  pool: KvBlockPool;
  runner: ModelRunner;
  dispose(): void;
}

export function setup(o: TinyOptions & { numBlocks?: number; threads?: number; simd?: RunnerSimd; kvDtype?: KvDtype; backend?: RunnerBackend }): Setup {
  const model = tinyModel(o);
  const a = model.arch;
  const pool = new KvBlockPool({
    numLayers: a.num_hidden_layers, numBlocks: o.numBlocks ?? 128, blockSize: BLOCK_SIZE,
    numKvHeads: a.num_key_value_heads, headDim: a.head_dim, dtype: o.kvDtype ?? 'f32',
  });
  const runner = ModelRunner.create({
    arch: a, tensors: (n) => model.tensors.get(n), kvPool: pool, threads: o.threads ?? 2, simd: o.simd ?? 'auto', backend: o.backend ?? 'cpu',
  });
  return { model, pool, runner, dispose: () => (runner.free(), pool.free()) };
}

/** Deterministic token ids for a test prompt. */
export function prompt(len: number, seed: number, vocab = 256): number[] {
  return Array.from({ length: len }, (_, i) => (seed * 7919 + i * 104729 + ((i * i) % 31)) % vocab);
}

export function blocksFor(len: number): number {
  return Math.ceil(len / BLOCK_SIZE);
}

/** Runs `tokens` through the runner as prefill chunks of `chunk` tokens; returns last logits. */
export async function prefill(r: ModelRunner, tokens: number[], table: number[], chunk = tokens.length): Promise<Float32Array> {
  let last: Float32Array = new Float32Array();
  for (let s = 0; s < tokens.length; s += chunk) {
    const piece = tokens.slice(s, s + chunk);
    const out = await r.forward([{ tokens: piece, startPos: s, blockTable: table, wantLogits: true }]);
    last = out.logits;
  }
  return last;
}

export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

export function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

export function row(logits: Float32Array, i: number, vocab: number): Float32Array {
  return logits.subarray(i * vocab, (i + 1) * vocab);
}

export type Seq = ForwardSequence;
