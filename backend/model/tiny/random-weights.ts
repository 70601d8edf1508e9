// Seeded random weights for tiny models. Every tensor draws from its own stream
// (`${seed}:${name}`), so adding a tensor never shifts another's values. Scales keep a random
// model's logits informative: unit-ish hidden states, logits with a standard deviation of ~2,
// so greedy decoding depends on the prompt instead of collapsing onto one token.
import seedrandom from 'seedrandom';
import type { ModelArch } from '../arch.ts';
import { expectedTensors } from '../expected-tensors.ts';

export type TinyDtype = 'f32' | 'bf16';

export interface RandomTensor {
  readonly name: string;
  readonly dtype: TinyDtype;
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

function gaussian(n: number, std: number, mean: number, stream: string): Float32Array {
  const rng = seedrandom.alea(stream);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    // Box-Muller; 1 - u keeps log() finite.
    const r = Math.sqrt(-2 * Math.log(1 - rng())) * std;
    const theta = 2 * Math.PI * rng();
    out[i] = mean + r * Math.cos(theta);
    if (i + 1 < n) out[i + 1] = mean + r * Math.sin(theta);
  }
  return out;
}

/** float32 → bfloat16 bit patterns, rounding to nearest even (what torch's .to(bfloat16) does). */
export function toBf16(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i]!;
    out[i] = ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
  }
  return out;
}

/** bfloat16 bit patterns → float32 (exact). */
export function fromBf16(bits: Uint16Array): Float32Array {
  const out = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = bits[i]! << 16;
  return new Float32Array(out.buffer);
}

function stdFor(name: string, shape: readonly number[], arch: ModelArch): { std: number; mean: number } {
  // Tied models: the residual stream still holds the input token's own embedding, so its logit
  // gets a head start (random tied models love repeating the last token). Shorter embedding rows
  // shrink that head start; the final norm's gain of 2 restores logits of std ~2.
  if (name === 'model.norm.weight' && arch.tie_word_embeddings) return { std: 0.2, mean: 2 };
  if (name === 'model.embed_tokens.weight' && arch.tie_word_embeddings) return { std: 1 / Math.sqrt(arch.hidden_size), mean: 0 };
  if (name.endsWith('layernorm.weight') || name === 'model.norm.weight') return { std: 0.1, mean: 1 };
  if (name.endsWith('.bias')) return { std: 0.1, mean: 0 };
  // Embedding rows and lm_head rows of norm ~2: logits = normed hidden · row.
  if (name === 'model.embed_tokens.weight' || name === 'lm_head.weight') return { std: 2 / Math.sqrt(arch.hidden_size), mean: 0 };
  return { std: 1 / Math.sqrt(shape[1]!), mean: 0 }; // [out, in] projections: unit variance out
}

export function randomWeights(arch: ModelArch, seed: number, dtype: TinyDtype): RandomTensor[] {
  return expectedTensors(arch).map(({ name, shape }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const { std, mean } = stdFor(name, shape, arch);
    const values = gaussian(n, std, mean, `${seed}:${name}`);
    const typed = dtype === 'f32' ? values : toBf16(values);
    return { name, dtype, shape, data: new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength) };
  });
}
