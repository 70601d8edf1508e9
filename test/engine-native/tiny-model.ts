// Tiny random-weight Llama / Qwen2 models built in memory from a seed (test-only). Each tensor
// is stored in the requested dtype, and the reference forward reads the very same values
// decoded exactly to float64, so any mismatch is the runner's arithmetic, not the weights'.
import type { ModelArch } from '../../backend/model/arch.ts';
import type { RunnerDtype, RunnerTensor } from '../../backend/engine/runner/index.ts';
import { tensorSlots } from '../../backend/engine/runner/index.ts';

export interface TinyModel {
  arch: ModelArch;
  tensors: Map<string, RunnerTensor>;
  /** The same weights as float64 (what the stored dtype decodes to). */
  values: Map<string, Float64Array>;
}

/** mulberry32: small, seeded, good enough for test weights. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function toBf16Bits(x: number): number {
  f32[0] = x;
  const u = u32[0]!;
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

export function bf16BitsToNumber(h: number): number {
  u32[0] = (h << 16) >>> 0;
  return f32[0]!;
}

/** Encodes values in dtype; returns the bytes and the exactly decoded values. */
export function encode(values: ArrayLike<number>, dtype: RunnerDtype): { data: Uint8Array; decoded: Float64Array } {
  const n = values.length;
  const decoded = new Float64Array(n);
  if (dtype === 'f32') {
    const a = Float32Array.from(values);
    decoded.set(a);
    return { data: new Uint8Array(a.buffer), decoded };
  }
  if (dtype === 'bf16') {
    const a = new Uint16Array(n);
    for (let i = 0; i < n; i++) {
      a[i] = toBf16Bits(values[i]!);
      decoded[i] = bf16BitsToNumber(a[i]!);
    }
    return { data: new Uint8Array(a.buffer), decoded };
  }
  // f16 via Float16Array is not in Node 20; round through the bit layout for normal values.
  const a = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = toF16Bits(values[i]!);
    decoded[i] = f16BitsToNumber(a[i]!);
  }
  return { data: new Uint8Array(a.buffer), decoded };
}

function toF16Bits(x: number): number {
  // Test weights are within (2^-14, 65504), so only normal halves occur (plus zero).
  if (x === 0) return 0;
  const sign = x < 0 ? 0x8000 : 0;
  const ax = Math.abs(x);
  let e = Math.floor(Math.log2(ax));
  if (e < -14) return sign;
  let m = Math.round((ax / 2 ** e - 1) * 1024);
  if (m === 1024) {
    m = 0;
    e += 1;
  }
  return sign | ((e + 15) << 10) | m;
}

export function f16BitsToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

export interface TinyOptions {
  arch: 'llama' | 'qwen2';
  seed: number;
  dtype?: RunnerDtype;
  layers?: number;
  hidden?: number;
  heads?: number;
  kvHeads?: number;
  vocab?: number;
  intermediate?: number;
}

export function tinyArch(o: TinyOptions): ModelArch {
  const hidden = o.hidden ?? 64, heads = o.heads ?? 4;
  const llama = o.arch === 'llama';
  return {
    arch: o.arch,
    vocab_size: o.vocab ?? 256,
    hidden_size: hidden,
    intermediate_size: o.intermediate ?? 128,
    num_hidden_layers: o.layers ?? 2,
    num_attention_heads: heads,
    num_key_value_heads: o.kvHeads ?? 2,
    head_dim: hidden / heads,
    rms_norm_eps: 1e-5,
    rope_theta: llama ? 500000 : 1000000,
    // Llama gets Llama 3.1 scaling with a short original context so all three bands occur at head_dim 16.
    rope_scaling: llama
      ? { kind: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 64 }
      : { kind: 'none' },
    max_position_embeddings: 2048,
    tie_word_embeddings: !llama,
    attention_bias: !llama,
  };
}

export function tinyModel(o: TinyOptions): TinyModel {
  const arch = tinyArch(o);
  const dtype = o.dtype ?? 'f32';
  const r = rng(o.seed);
  const tensors = new Map<string, RunnerTensor>();
  const values = new Map<string, Float64Array>();
  for (const slot of tensorSlots(arch)) {
    if (!slot.used) continue;
    const n = slot.shape.reduce((p, d) => p * d, 1);
    const raw = new Float64Array(n);
    const isNorm = slot.name.endsWith('norm.weight');
    const isBias = slot.name.endsWith('.bias');
    const fanIn = slot.shape.length === 2 ? slot.shape[1]! : 1;
    // Unit-variance activations: linear weights U(-a, a) with a = sqrt(3 / fan_in).
    const a = slot.name.includes('embed') ? 1 : isBias ? 0.5 : Math.sqrt(3 / fanIn);
    for (let i = 0; i < n; i++) raw[i] = isNorm ? 0.8 + 0.4 * r() : (2 * r() - 1) * a;
    const { data, decoded } = encode(raw, dtype);
    tensors.set(slot.name, { dtype, shape: slot.shape, data });
    values.set(slot.name, decoded);
  }
  return { arch, tensors, values };
}
