// Element types the checkpoint format and KV pools accept, and their safetensors names.

export const DTYPE_BYTES = { f32: 4, f16: 2, bf16: 2, i8: 1, u8: 1, i32: 4, i64: 8 } as const;
export type Dtype = keyof typeof DTYPE_BYTES;
export const DTYPES = Object.keys(DTYPE_BYTES) as Dtype[];

export const SAFETENSORS_DTYPES: Record<string, Dtype> = {
  F32: 'f32', F16: 'f16', BF16: 'bf16', I8: 'i8', U8: 'u8', I32: 'i32', I64: 'i64',
};
export const TO_SAFETENSORS: Record<Dtype, string> = {
  f32: 'F32', f16: 'F16', bf16: 'BF16', i8: 'I8', u8: 'U8', i32: 'I32', i64: 'I64',
};

export function isDtype(v: unknown): v is Dtype {
  return typeof v === 'string' && Object.hasOwn(DTYPE_BYTES, v);
}

/** Bytes of a tensor, or undefined when the product is not a safe integer. */
export function tensorBytes(dtype: Dtype, shape: readonly number[]): number | undefined {
  let n = DTYPE_BYTES[dtype];
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) return undefined;
    n *= d;
    if (!Number.isSafeInteger(n)) return undefined;
  }
  return n;
}
