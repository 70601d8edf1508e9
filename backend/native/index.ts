// Public API of the native data plane (checkpoints, loading, DRAM tier, KV pools, transfer).
export * from './errors.ts';
export type * from './addon-types.ts';
export { loadAddon, tryLoadAddon, addonCandidates } from './load-addon.ts';
export { DTYPES, DTYPE_BYTES, type Dtype } from './dtype.ts';
export { readCheckpointIndex, validateIndex, type CheckpointIndex, type TensorEntry } from './checkpoint-index.ts';
export { writeCheckpoint, planCheckpoint, type TensorInput, type FileRange, type WriteOptions } from './checkpoint-writer.ts';
export { readSafetensorsHeader, writeSafetensors, convertSafetensors } from './safetensors.ts';
export { loadCheckpoint, type LoadOptions, type LoadedCheckpoint, type StageStat } from './loader.ts';
export { DramCache, type CacheLease, type CacheStats, type DramCacheOptions } from './dram-cache.ts';
export { allocHostBuffer, copyBytes, HOST_ALIGNMENT, type CopyOptions, type HostBufferOptions } from './host-buffer.ts';
export { INLINE_COPY_MAX_BYTES, KvBlockPool, type KvPoolSpec, type KvDtype } from './kv-pool.ts';
export { listenForBlocks, sendBlocks, TRANSFER_DEFAULTS, type KvReceiver, type ReceiverOptions, type SendOptions, type SendResult } from './transfer.ts';
export { KvConnection, type KvConnectOptions, type KvSendOptions, type KvSendResult } from './kv-connection.ts';
export { KvConnectionPool, type KvConnectionPoolOptions } from './kv-connection-pool.ts';
export { verifyCheckpointFiles, verifyImage } from './checkpoint-verify.ts';
export type { TensorView } from './tensor-view.ts';
import { loadAddon } from './load-addon.ts';
import type { NativeDeviceInfo } from './addon-types.ts';

/** GPUs visible to the addon (an empty list on machines without a driver). */
export function deviceInfo(): NativeDeviceInfo {
  return loadAddon().deviceInfo();
}
