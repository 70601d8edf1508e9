// The one hand-written description of the native binding (cuda/addon.cpp). Everything here
// takes primitives, typed arrays or Buffers; validation happens in the TypeScript callers.

export interface NativeDevice {
  index: number;
  name: string;
  totalBytes: number;
  computeCapability: string;
  pciBusId: string;
}

export interface NativeDeviceInfo {
  compiledWithCuda: boolean;
  /** Why the list is empty (e.g. "cudaErrorInsufficientDriver (35 …)"), or "". */
  note: string;
  devices: NativeDevice[];
}

export interface NativeLoadStats {
  bytes: number;
  readWallSeconds: number;
  readBusySeconds: number;
  copyBusySeconds: number;
  /** Bytes read straight into the destination (no staging chunk, no copy). */
  inPlaceBytes: number;
  totalSeconds: number;
  ioMode: 'direct' | 'buffered' | 'mixed';
  fallbackReason: string;
  pinned: boolean;
}

export interface NativeLoadHandle {
  promise: Promise<NativeLoadStats>;
  /** Sets the cancellation flag; readers stop between chunks and the promise rejects with code ECANCELLED. */
  cancel(): void;
}

export interface NativeKvPool {
  readonly pinned: boolean;
  gather(blockIds: Int32Array, staging: Uint8Array): Promise<void>;
  scatter(blockIds: Int32Array, staging: Uint8Array): Promise<void>;
  /** The same copies on the calling thread; host pools only (a GPU pool throws). */
  gatherSync(blockIds: Int32Array, staging: Uint8Array): void;
  scatterSync(blockIds: Int32Array, staging: Uint8Array): void;
  copyTo(dst: NativeKvPool, srcIds: Int32Array, dstIds: Int32Array): Promise<void>;
  free(): void;
}

export interface NativeDeviceBuffer {
  readonly bytes: number;
  readonly device: number;
  readonly address: bigint;
  download(offset: number, dest: Uint8Array): Promise<void>;
  upload(offset: number, src: Uint8Array): Promise<void>;
  free(): void;
}

/** Native model runner (cuda/model_runner_wrap.cpp); backend/engine/runner validates every argument. */
export interface NativeModelRunner {
  /** Kernels in use: 'scalar' | 'avx2' | 'avx512' (CPU runner), 'cuda' or 'cuda-emulation'. */
  readonly kernel: string;
  readonly threads: number;
  /**
   * One step. seqs holds 4 int32 per sequence (tokenOffset, numTokens, startPos, wantLogits);
   * sequence i's block table is blockTables[blockOffsets[i] .. blockOffsets[i+1]); logits
   * receives [sequences wanting logits × vocab]. Throws EBUSY while another step runs.
   */
  forward(tokens: Int32Array, seqs: Int32Array, blockTables: Int32Array, blockOffsets: Int32Array, logits: Float32Array): Promise<void>;
  /** Drops the weights and KV pool references; refused while a step runs. */
  free(): void;
}

/** Order of the ModelRunner constructor's Float64Array config (cuda/model_runner_wrap.cpp ConfigIndex). */
export const RUNNER_CONFIG_FIELDS = [
  'vocab_size', 'hidden_size', 'intermediate_size', 'num_hidden_layers', 'num_attention_heads',
  'num_key_value_heads', 'head_dim', 'rms_norm_eps', 'rope_theta', 'llama3', 'rope_factor',
  'low_freq_factor', 'high_freq_factor', 'original_max_position_embeddings', 'attention_bias',
  'block_size', 'kv_dtype', 'threads',
] as const;

export interface NativeCpuFeatures {
  avx2: boolean;
  fma: boolean;
  f16c: boolean;
  avx512f: boolean;
  avx512bf16: boolean;
  /** The runner's 'auto' choice on this CPU. */
  best: string;
}

export interface NativeCpuPeaks {
  readBytesPerSecond: number;
  flopsPerSecond: number;
  fmaIsa: string;
}

export interface NativeAddon {
  abiVersion: number;
  deviceInfo(): NativeDeviceInfo;
  loadToHost(
    paths: string[], readBytes: Float64Array, dstOffsets: Float64Array,
    threads: number, chunkBytes: number, poolChunks: number, directIo: boolean,
    dest: Uint8Array, onProgress?: (bytesDone: number) => void, inPlace?: boolean,
  ): NativeLoadHandle;
  loadToDevice(
    paths: string[], readBytes: Float64Array, dstOffsets: Float64Array,
    threads: number, chunkBytes: number, poolChunks: number, directIo: boolean,
    dest: NativeDeviceBuffer, onProgress?: (bytesDone: number) => void,
  ): NativeLoadHandle;
  /** Offset of the first `alignment`-aligned byte of buf; hugePages asks for MADV_HUGEPAGE on the rest. */
  prepareHostBuffer(buf: Uint8Array, alignment: number, hugePages: boolean): { offset: number; hugePages: boolean };
  /** memcpy(dst, src) on `threads` native threads; equal lengths, no overlap. */
  copyBytes(dst: Uint8Array, src: Uint8Array, threads: number): Promise<void>;
  /**
   * The partition files mapped (MAP_PRIVATE; with populate, MAP_POPULATE) into one image of
   * totalBytes at dstOffsets; unmapped when the Buffer is collected. Absent from builds before it.
   */
  mapFiles?(paths: string[], fileBytes: Float64Array, dstOffsets: Float64Array, totalBytes: number, populate: boolean): Buffer;
  /** zlib CRC-32 of buf continuing from seed (0 to start), computed off the event loop. */
  crc32(buf: Uint8Array, seed: number): Promise<number>;
  KvPool: new (layers: number, blocks: number, blockBytes: number, device: number) => NativeKvPool;
  DeviceBuffer: new (device: number, bytes: number) => NativeDeviceBuffer;
  /**
   * tensors: 3 global slots (embed, final norm, lm head or null when tied) then 12 per layer
   * (input norm, q, k, v, o, q bias, k bias, v bias, post-attention norm, gate, up, down;
   * biases null when absent); dtypes: 0 f32, 1 bf16, 2 f16 per slot.
   */
  ModelRunner: new (config: Float64Array, tensors: (Uint8Array | null)[], dtypes: Int32Array, kvPool: NativeKvPool, kernels: string) => NativeModelRunner;
  cpuFeatures(): NativeCpuFeatures;
  /** Measures memory read bandwidth (streaming bufferBytes) and FMA peak on `threads` threads. */
  cpuPeaks(threads: number, bufferBytes: number, seconds: number): Promise<NativeCpuPeaks>;
}

/** Bumped together with `abiVersion` in cuda/addon.cpp when the surface above changes. */
export const EXPECTED_ABI_VERSION = 4;
