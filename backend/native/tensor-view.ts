// Zero-copy views of tensors inside a loaded host image.
import type { Dtype } from './dtype.ts';
import type { TensorEntry } from './checkpoint-index.ts';

export interface TensorView {
  name: string;
  dtype: Dtype;
  shape: readonly number[];
  /** Offset in the loaded image (host buffer or device allocation); a multiple of 256. */
  offset: number;
  size: number;
}

export type TypedView = Float32Array | Uint16Array | Int8Array | Uint8Array | Int32Array | BigInt64Array;

/** Typed array over a host tensor; f16 and bf16 come back as their raw 16-bit patterns. */
export function typedView(image: Buffer, t: TensorView): TypedView {
  const b = image.buffer;
  const o = image.byteOffset + t.offset;
  switch (t.dtype) {
    case 'f32': return new Float32Array(b, o, t.size / 4);
    case 'f16':
    case 'bf16': return new Uint16Array(b, o, t.size / 2);
    case 'i8': return new Int8Array(b, o, t.size);
    case 'u8': return new Uint8Array(b, o, t.size);
    case 'i32': return new Int32Array(b, o, t.size / 4);
    case 'i64': return new BigInt64Array(b, o, t.size / 8);
  }
}

export function viewOf(name: string, e: TensorEntry, partitionBase: number): TensorView {
  return { name, dtype: e.dtype, shape: e.shape, offset: partitionBase + e.offset, size: e.size };
}
