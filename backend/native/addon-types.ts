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
    dest: Uint8Array, onProgress?: (bytesDone: number) => void,
  ): NativeLoadHandle;
  loadToDevice(
    paths: string[], readBytes: Float64Array, dstOffsets: Float64Array,
    threads: number, chunkBytes: number, poolChunks: number, directIo: boolean,
    dest: NativeDeviceBuffer, onProgress?: (bytesDone: number) => void,
  ): NativeLoadHandle;
  KvPool: new (layers: number, blocks: number, blockBytes: number, device: number) => NativeKvPool;
  DeviceBuffer: new (device: number, bytes: number) => NativeDeviceBuffer;
}

/** Bumped together with `abiVersion` in cuda/addon.cpp when the surface above changes. */
export const EXPECTED_ABI_VERSION = 1;
