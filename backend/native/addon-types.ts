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
  /** zlib CRC-32 of buf continuing from seed (0 to start), computed off the event loop. */
  crc32(buf: Uint8Array, seed: number): Promise<number>;
  KvPool: new (layers: number, blocks: number, blockBytes: number, device: number) => NativeKvPool;
  DeviceBuffer: new (device: number, bytes: number) => NativeDeviceBuffer;
}

/** Bumped together with `abiVersion` in cuda/addon.cpp when the surface above changes. */
export const EXPECTED_ABI_VERSION = 2;
