// Argument checks of the model runner: every message names the field or tensor, the value
// found and what was expected, so nothing malformed ever reaches native code.
import { NativeError } from '../../native/errors.ts';
import type { KvPoolSpec } from '../../native/kv-pool.ts';
import type { ModelArch } from '../../model/arch.ts';
import type { TensorSlot } from './tensor-slots.ts';
import type { RunnerBackend, RunnerDtype, RunnerTensor } from './types.ts';

export const RUNNER_DTYPE_CODE: Record<RunnerDtype, number> = { f32: 0, bf16: 1, f16: 2 };
const DTYPE_BYTES: Record<RunnerDtype, number> = { f32: 4, bf16: 2, f16: 2 };

export function invalid(message: string): NativeError {
  return new NativeError(message, 'EINVAL');
}

function positiveInt(field: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw invalid(`arch.${field} = ${String(v)}; expected a positive integer`);
}

function positiveNumber(field: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw invalid(`arch.${field} = ${String(v)}; expected a finite number > 0`);
}

export function validateArch(a: ModelArch): void {
  if (a.arch !== 'llama' && a.arch !== 'qwen2') throw invalid(`arch.arch = ${JSON.stringify(a.arch)}; unsupported architecture, expected "llama" or "qwen2"`);
  for (const f of ['vocab_size', 'hidden_size', 'intermediate_size', 'num_hidden_layers', 'num_attention_heads', 'num_key_value_heads', 'head_dim'] as const) positiveInt(f, a[f]);
  positiveNumber('rms_norm_eps', a.rms_norm_eps);
  positiveNumber('rope_theta', a.rope_theta);
  if (a.head_dim % 2 !== 0) throw invalid(`arch.head_dim = ${a.head_dim}; expected an even number (RoPE rotates pairs)`);
  if (a.num_attention_heads % a.num_key_value_heads !== 0) {
    throw invalid(`arch.num_attention_heads = ${a.num_attention_heads}; expected a multiple of num_key_value_heads (${a.num_key_value_heads})`);
  }
  const rs = a.rope_scaling;
  if (rs.kind === 'llama3') {
    for (const f of ['factor', 'low_freq_factor', 'high_freq_factor', 'original_max_position_embeddings'] as const) {
      if (!(Number.isFinite(rs[f]) && rs[f] > 0)) throw invalid(`arch.rope_scaling.${f} = ${rs[f]}; expected a number > 0`);
    }
    if (rs.high_freq_factor <= rs.low_freq_factor) throw invalid(`arch.rope_scaling.high_freq_factor = ${rs.high_freq_factor}; expected > low_freq_factor (${rs.low_freq_factor})`);
  } else if (rs.kind !== 'none') {
    throw invalid(`arch.rope_scaling.kind = ${JSON.stringify((rs as { kind: unknown }).kind)}; expected "none" or "llama3"`);
  }
}

export function validateKvPool(spec: Readonly<KvPoolSpec>, a: ModelArch): void {
  const want: [keyof KvPoolSpec, number][] = [['numLayers', a.num_hidden_layers], ['numKvHeads', a.num_key_value_heads], ['headDim', a.head_dim]];
  for (const [field, v] of want) {
    if (spec[field] !== v) throw invalid(`kvPool.spec.${field} = ${String(spec[field])}; expected ${v} to match the model`);
  }
}

/**
 * Which native runner a pool gets: a host pool the CPU runner (or, when asked, the CUDA
 * runner's CPU emulation); a device pool the CUDA runner, which exists only in a CUDA build.
 */
export function runnerKind(spec: Readonly<KvPoolSpec>, backend: RunnerBackend, compiledWithCuda: boolean): 'cpu' | 'cuda' | 'cuda-emulation' {
  if (backend !== 'cpu' && backend !== 'cuda-emulation') throw invalid(`backend = ${String(backend)}; expected "cpu" or "cuda-emulation"`);
  if (spec.device === undefined) return backend;
  if (backend === 'cuda-emulation') throw invalid(`backend = "cuda-emulation" with kvPool.spec.device = ${spec.device}; the emulation runs on a host KV pool (device omitted)`);
  if (!compiledWithCuda) {
    throw invalid(`kvPool.spec.device = ${spec.device}; a GPU KV pool needs the CUDA model runner, and this addon was built without CUDA (install the CUDA toolkit and run \`npm run build:native\`, or use a host KV pool)`);
  }
  return 'cuda';
}

/** Checks one tensor against its slot; returns it, or undefined for an absent optional slot. */
export function checkTensor(slot: TensorSlot, t: RunnerTensor | undefined): RunnerTensor | undefined {
  if (!slot.used) return undefined;
  if (t === undefined) {
    if (slot.optional) return undefined;
    throw invalid(`tensor ${slot.name} is missing`);
  }
  if (!(t.dtype in RUNNER_DTYPE_CODE)) throw invalid(`tensor ${slot.name} has dtype ${String(t.dtype)}; the runner reads f32, bf16 or f16`);
  const same = t.shape.length === slot.shape.length && t.shape.every((d, i) => d === slot.shape[i]);
  if (!same) throw invalid(`tensor ${slot.name} has shape [${t.shape.join(', ')}]; expected [${slot.shape.join(', ')}]`);
  const bytes = slot.shape.reduce((p, d) => p * d, 1) * DTYPE_BYTES[t.dtype];
  if (!(t.data instanceof Uint8Array) || t.data.byteLength !== bytes) {
    throw invalid(`tensor ${slot.name} data holds ${t.data?.byteLength} bytes; expected a Uint8Array of ${bytes} bytes (shape × ${t.dtype})`);
  }
  return t;
}
