// Host buffers for checkpoint images and copies: 4 KiB-aligned, so O_DIRECT reads land in
// them without a staging copy. Memory still comes from Buffer.allocUnsafeSlow, so V8
// accounts for it and GC frees it.
import os from 'node:os';
import { tryLoadAddon } from './load-addon.ts';
import { NativeError, fromNative } from './errors.ts';

export const HOST_ALIGNMENT = 4096;

/** Below this, alignment is not worth the extra page (small loads stage through a chunk). */
const SMALL = 1 << 20;

export interface HostBufferOptions {
  /**
   * madvise(MADV_HUGEPAGE) (default false). Measured on the 2-vCPU dev VM (THP "madvise",
   * defrag "madvise"): O_DIRECT reads into huge-page images ran at 0.3 GB/s instead of ~1.2,
   * so images do not ask for it; a plain memcpy destination may gain from it.
   */
  hugePages?: boolean;
}

/**
 * An uninitialised Buffer of `bytes` whose first byte is 4 KiB-aligned when the addon is
 * available (otherwise a plain Buffer; the loader then stages through chunks).
 */
export function allocHostBuffer(bytes: number, opts: HostBufferOptions = {}): Buffer {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new NativeError(`buffer size must be a non-negative integer, got ${bytes}`, 'EINVAL');
  const loaded = bytes < SMALL ? undefined : tryLoadAddon();
  if (!loaded || !('addon' in loaded)) return Buffer.allocUnsafeSlow(bytes);
  const raw = Buffer.allocUnsafeSlow(bytes + HOST_ALIGNMENT);
  const { offset } = loaded.addon.prepareHostBuffer(raw, HOST_ALIGNMENT, opts.hugePages ?? false);
  return raw.subarray(offset, offset + bytes);
}

export interface CopyOptions {
  /** Copy threads (default: number of CPUs, at most 8). */
  threads?: number;
}

/**
 * memcpy of `src` into `dst` (equal lengths, no overlap) on native threads, off the event
 * loop. Used to hand a DRAM-cached image to a caller-owned buffer (e.g. a GPU upload's
 * staging) at memory bandwidth rather than at `Buffer.copy`'s single-threaded speed.
 */
export async function copyBytes(dst: Uint8Array, src: Uint8Array, opts: CopyOptions = {}): Promise<void> {
  const threads = opts.threads ?? Math.min(8, Math.max(1, os.availableParallelism()));
  if (!(dst instanceof Uint8Array) || !(src instanceof Uint8Array)) throw new NativeError('copyBytes needs two Uint8Arrays', 'EINVAL');
  if (dst.byteLength !== src.byteLength) throw new NativeError(`copyBytes: destination holds ${dst.byteLength} bytes, source ${src.byteLength}`, 'EINVAL');
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw new NativeError(`threads must be an integer in [1, 64], got ${threads}`, 'EINVAL');
  if (dst.buffer === src.buffer && dst.byteOffset < src.byteOffset + src.byteLength && src.byteOffset < dst.byteOffset + dst.byteLength && src.byteLength > 0) {
    throw new NativeError('copyBytes: source and destination overlap', 'EINVAL');
  }
  if (src.byteLength === 0) return;
  const loaded = tryLoadAddon();
  if (!('addon' in loaded)) {
    dst.set(src);
    return;
  }
  await loaded.addon.copyBytes(dst, src, threads).catch((err: unknown) => { throw fromNative(err, 'copyBytes'); });
}
