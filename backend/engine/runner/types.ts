// The model runner's public data shapes.
import type { KvBlockPool } from '../../native/kv-pool.ts';
import type { ModelArch } from '../../model/arch.ts';

export type RunnerDtype = 'f32' | 'bf16' | 'f16';

/** One weight tensor in host memory, in its checkpoint dtype (bf16/f16 stay 16-bit). */
export interface RunnerTensor {
  dtype: RunnerDtype;
  shape: readonly number[];
  /** The raw little-endian elements (e.g. a view into a loaded checkpoint image). */
  data: Uint8Array;
}

export type RunnerSimd = 'auto' | 'scalar' | 'avx2' | 'avx512';

export type RunnerBackend = 'cpu' | 'cuda-emulation';

export interface ModelRunnerOptions {
  arch: ModelArch;
  /** Looks a tensor up by its HF name; undefined when the checkpoint lacks it. */
  tensors: (name: string) => RunnerTensor | undefined;
  /**
   * KV pool shaped for this model (numLayers, numKvHeads, headDim); f32, bf16 or f16. A host
   * pool gets the CPU runner; a pool on a GPU (`device` set) gets the CUDA runner, which needs
   * the addon built with CUDA.
   */
  kvPool: KvBlockPool;
  /**
   * Runner for a host pool: 'cpu' (default), or 'cuda-emulation', the CUDA runner's step logic
   * with a CPU mirror of its kernels (same bits as the GPU; slow; for tests without a GPU).
   */
  backend?: RunnerBackend;
  /** Compute threads including the calling one (default 1). Results do not depend on it. */
  threads?: number;
  /** SIMD variant; 'auto' picks the widest this CPU runs. All variants give the same bits. */
  simd?: RunnerSimd;
}

/** One sequence of a step: its new tokens, where they start, and where its KV lives. */
export interface ForwardSequence {
  /** Token ids to compute this step (a prefill chunk, or one decode token). */
  tokens: ArrayLike<number>;
  /** Tokens already in the KV cache (the position of tokens[0]). */
  startPos: number;
  /** KV block ids in position order; must cover startPos + tokens.length positions. */
  blockTable: ArrayLike<number>;
  /** Whether to return the logits of the last token. */
  wantLogits: boolean;
}

export interface ForwardOutput {
  /** [rows × vocab] f32 logits, one row per sequence with wantLogits, in batch order. */
  logits: Float32Array;
  /** rows[i] = index in the batch of the sequence that logits row i belongs to. */
  rows: number[];
  vocabSize: number;
}
