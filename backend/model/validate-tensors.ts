// Checks a folder's tensors against its arch before anything is converted or loaded: every
// expected tensor present, with its shape and a weight dtype the runner computes in.
import { ConfigError } from '../../config/index.ts';
import type { Dtype } from '../native/index.ts';
import type { ModelArch } from './arch.ts';
import { expectedTensors } from './expected-tensors.ts';

export const WEIGHT_DTYPES = ['f32', 'bf16', 'f16'] as const satisfies readonly Dtype[];
export type WeightDtype = (typeof WEIGHT_DTYPES)[number];

export function isWeightDtype(d: Dtype): d is WeightDtype {
  return (WEIGHT_DTYPES as readonly Dtype[]).includes(d);
}

/** A tensor as a folder holds it: where it lives and what it claims to be. */
export interface FolderTensor {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  /** The safetensors file it is in (absolute path). */
  readonly file: string;
  /** Absolute byte range in that file. */
  readonly begin: number;
  readonly end: number;
}

export interface TensorCheck {
  /** The expected tensors, in arch order, as found in the folder. */
  readonly used: FolderTensor[];
  /**
   * Tensors the arch does not use (e.g. a tied model that still ships lm_head.weight, or old
   * Llama checkpoints' rotary_emb.inv_freq): not converted, listed so a caller can say so.
   */
  readonly ignored: string[];
}

const dims = (s: readonly number[]) => `[${s.join(', ')}]`;

export function validateTensors(arch: ModelArch, tensors: readonly FolderTensor[], source: string): TensorCheck {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const used: FolderTensor[] = [];
  const issues: ConfigError['issues'][number][] = [];
  for (const want of expectedTensors(arch)) {
    const have = byName.get(want.name);
    const option = `tensors[${JSON.stringify(want.name)}]`;
    if (!have) {
      issues.push({ option, expected: `present with shape ${dims(want.shape)}`, received: 'nothing (missing tensor)' });
      continue;
    }
    if (have.shape.length !== want.shape.length || have.shape.some((d, i) => d !== want.shape[i])) {
      issues.push({ option: `${option}.shape`, expected: `${dims(want.shape)} for this config.json`, received: dims(have.shape) });
    } else if (!isWeightDtype(have.dtype)) {
      issues.push({ option: `${option}.dtype`, expected: `one of ${WEIGHT_DTYPES.join(' | ')}`, received: JSON.stringify(have.dtype) });
    } else {
      used.push(have);
    }
  }
  // One dtype for the whole model keeps the runner's kernels monomorphic per load.
  const first = used[0];
  const mixed = first ? used.find((t) => t.dtype !== first.dtype) : undefined;
  if (first && mixed) {
    issues.push({ option: `tensors[${JSON.stringify(mixed.name)}].dtype`, expected: `${first.dtype} like ${first.name} (one weight dtype per model)`, received: JSON.stringify(mixed.dtype) });
  }
  if (issues.length > 0) throw new ConfigError(issues.slice(0, 20), { source });
  const wanted = new Set(used.map((t) => t.name));
  return { used, ignored: tensors.filter((t) => !wanted.has(t.name)).map((t) => t.name) };
}
