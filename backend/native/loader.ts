// Checkpoint loading: disk -> pinned chunks (N threads, O_DIRECT) -> host image or one device
// allocation, optionally through the DRAM cache. Returns tensor views and per-stage figures.
import { realpath, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import { loadAddon } from './load-addon.ts';
import type { NativeDeviceBuffer, NativeLoadStats } from './addon-types.ts';
import { INDEX_FILE, readCheckpointIndex, type CheckpointIndex } from './checkpoint-index.ts';
import type { DramCache } from './dram-cache.ts';
import { NativeError, LoadCancelledError, fromNative } from './errors.ts';
import { verifyCheckpointFiles, verifyImage } from './checkpoint-verify.ts';
import { typedView, viewOf, type TensorView, type TypedView } from './tensor-view.ts';
import { allocHostBuffer, copyBytes, type CopyOptions } from './host-buffer.ts';

export interface LoadOptions {
  /** 'host' (default) or a GPU ordinal. */
  target?: 'host' | { device: number };
  threads?: number;
  chunkBytes?: number;
  /** Staging chunks in the pinned pool (default threads + 4). */
  poolChunks?: number;
  /** Try O_DIRECT (default true); falls back per file when the filesystem refuses. */
  directIo?: boolean;
  /**
   * Host target: let reader threads pread() straight into the (4 KiB-aligned) image instead
   * of staging through chunks and copying (default true). false forces the staged path.
   */
  readInPlace?: boolean;
  /**
   * Host target without a cache, checkpoint on a memory file system (tmpfs/ramfs: a node
   * agent's DRAM tier): map its files into the image (mmap, pages populated by the kernel)
   * instead of reading them into fresh memory. Default true, unless the environment sets
   * FLEETLAB_DRAM_MMAP=0 (to compare the two paths, e.g. in bench:coldstart); builds of the
   * addon without `mapFiles` read as before.
   */
  mapMemoryFs?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: { bytesDone: number; bytesTotal: number }) => void;
  cache?: DramCache;
  /**
   * Check every partition's CRC-32 against index.json when the bytes come from disk (default
   * true; a DRAM-cache hit was checked when it was first loaded). Device loads without a cache
   * read straight to the GPU and are checked by reading the files (verifyCheckpointFiles).
   */
  verify?: boolean;
}

export interface StageStat {
  stage: string;
  bytes: number;
  seconds: number;
  gbps: number;
}

export interface LoadedCheckpoint {
  index: CheckpointIndex;
  source: 'disk' | 'dram';
  /** How the bytes got into the image: read (O_DIRECT, buffered, both), mapped from a memory file system, or not at all (cache hit, device). */
  ioMode: 'direct' | 'buffered' | 'mixed' | 'mmap' | 'none';
  fallbackReason: string;
  bytes: number;
  seconds: number;
  gbps: number;
  stages: StageStat[];
  tensors: Map<string, TensorView>;
  /** Host image (host target); tensors are views at their offsets. */
  host?: Buffer;
  /** Device allocation (GPU target). */
  device?: NativeDeviceBuffer;
  /**
   * Copies the host image into a caller-owned buffer of `bytes` bytes on native threads
   * (e.g. a GPU upload's staging, or a private copy of a DRAM-cached image).
   */
  copyImageTo(dest: Uint8Array, opts?: CopyOptions): Promise<void>;
  /** Typed view of a host tensor. */
  view(name: string): TypedView;
  /** Drops the cache pin (host) or frees the device allocation. */
  release(): void;
}

export const DEFAULT_CHUNK_BYTES = 32 << 20;

function checkOptions(o: LoadOptions): Required<Pick<LoadOptions, 'threads' | 'chunkBytes' | 'poolChunks' | 'directIo'>> {
  const threads = o.threads ?? 4;
  const chunkBytes = o.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const poolChunks = o.poolChunks ?? threads + 4;
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw new NativeError(`threads must be an integer in [1, 64], got ${threads}`, 'EINVAL');
  if (!Number.isInteger(chunkBytes) || chunkBytes < 4096 || chunkBytes % 4096 !== 0 || chunkBytes > 2 ** 32) throw new NativeError(`chunkBytes must be a multiple of 4096 in [4096, 4 GiB], got ${chunkBytes}`, 'EINVAL');
  if (!Number.isInteger(poolChunks) || poolChunks < 1 || poolChunks > 1024) throw new NativeError(`poolChunks must be an integer in [1, 1024], got ${poolChunks}`, 'EINVAL');
  if (o.target !== undefined && o.target !== 'host' && !(Number.isInteger(o.target.device) && o.target.device >= 0)) throw new NativeError(`target must be 'host' or { device: n >= 0 }`, 'EINVAL');
  return { threads, chunkBytes, poolChunks, directIo: o.directIo ?? true };
}

function stage(name: string, bytes: number, seconds: number): StageStat {
  return { stage: name, bytes, seconds, gbps: seconds > 0 ? bytes / seconds / 1e9 : Infinity };
}

/** Image layout: partition k starts after the padded sizes of partitions 0..k-1. */
export function partitionBases(index: CheckpointIndex): { bases: number[]; imageBytes: number } {
  const bases: number[] = [];
  let at = 0;
  for (const p of index.partitions) {
    bases.push(at);
    at += p.fileBytes;
  }
  return { bases, imageBytes: at };
}

async function cacheKey(dir: string): Promise<string> {
  const real = await realpath(dir);
  const st = await stat(path.join(real, INDEX_FILE));
  return `${real}#${st.ino}:${st.mtimeMs}`;
}

function runNative(start: (onProgress: (n: number) => void) => { promise: Promise<NativeLoadStats>; cancel(): void }, o: LoadOptions, total: number): Promise<NativeLoadStats> {
  if (o.signal?.aborted) return Promise.reject(new LoadCancelledError('checkpoint load'));
  const onProgress = (n: number) => {
    try {
      o.onProgress?.({ bytesDone: n, bytesTotal: total });
    } catch {
      // a listener's bug must not break the load
    }
  };
  const handle = start(onProgress);
  const abort = () => handle.cancel();
  o.signal?.addEventListener('abort', abort, { once: true });
  return handle.promise.catch((err: unknown) => { throw fromNative(err, 'checkpoint load'); })
    .finally(() => o.signal?.removeEventListener('abort', abort));
}

export async function loadCheckpoint(dir: string, opts: LoadOptions = {}): Promise<LoadedCheckpoint> {
  const t0 = performance.now();
  const o = checkOptions(opts);
  const index = await readCheckpointIndex(dir);
  const addon = loadAddon();
  const { bases, imageBytes } = partitionBases(index);
  const paths = index.partitions.map((p) => path.join(dir, p.file));
  const readBytes = Float64Array.from(index.partitions.map((p) => p.fileBytes));
  const dstOffsets = Float64Array.from(bases);
  const tensors = new Map(Object.entries(index.tensors).map(([name, e]) => [name, viewOf(name, e, bases[e.partition]!)]));
  let stats: NativeLoadStats | undefined;
  const verify = opts.verify ?? true;
  const stages: StageStat[] = [];
  const diskToHost = async (buf: Buffer) => {
    stats = await runNative((cb) => addon.loadToHost(paths, readBytes, dstOffsets, o.threads, o.chunkBytes, o.poolChunks, o.directIo, buf, cb, opts.readInPlace ?? true), opts, imageBytes);
    if (verify) {
      const v0 = performance.now();
      await verifyImage(dir, index, buf, bases);
      stages.push(stage('verify CRC-32', imageBytes, (performance.now() - v0) / 1e3));
    }
  };
  let source: LoadedCheckpoint['source'] = 'disk';
  let host: Buffer | undefined;
  let device: NativeDeviceBuffer | undefined;
  let release = () => {};
  /** Seconds the image took to map, when it was mapped rather than read. */
  let mapped: number | undefined;

  if (opts.target === undefined || opts.target === 'host') {
    if (opts.cache) {
      const lease = await opts.cache.acquire(await cacheKey(dir), imageBytes, diskToHost);
      host = lease.buffer;
      release = lease.release;
      if (lease.hit) source = 'dram';
    } else if ((opts.mapMemoryFs ?? process.env['FLEETLAB_DRAM_MMAP'] !== '0') && addon.mapFiles !== undefined && (await onMemoryFs(dir))) {
      const m0 = performance.now();
      try {
        host = addon.mapFiles(paths, readBytes, dstOffsets, imageBytes, true);
      } catch (err) {
        throw fromNative(err, `mapping ${dir}`);
      }
      mapped = (performance.now() - m0) / 1e3;
      if (verify) {
        const v0 = performance.now();
        await verifyImage(dir, index, host, bases);
        stages.push(stage('verify CRC-32', imageBytes, (performance.now() - v0) / 1e3));
      }
    } else {
      host = allocHostBuffer(imageBytes);
      await diskToHost(host);
    }
  } else {
    device = new addon.DeviceBuffer(opts.target.device, Math.max(imageBytes, 1));
    const dev = device;
    release = () => dev.free();
    try {
      if (opts.cache) {
        const lease = await opts.cache.acquire(await cacheKey(dir), imageBytes, diskToHost);
        try {
          if (lease.hit) source = 'dram';
          const u0 = performance.now();
          await dev.upload(0, lease.buffer).catch((err: unknown) => { throw fromNative(err, 'host->device upload'); });
          stages.push(stage('host->device', imageBytes, (performance.now() - u0) / 1e3));
        } finally {
          lease.release();
        }
      } else {
        if (verify) await verifyCheckpointFiles(dir, index);
        stats = await runNative((cb) => addon.loadToDevice(paths, readBytes, dstOffsets, o.threads, o.chunkBytes, o.poolChunks, o.directIo, dev, cb), opts, imageBytes);
      }
    } catch (err) {
      dev.free();
      throw err;
    }
  }
  if (stats) {
    const staged = stats.bytes - stats.inPlaceBytes;
    stages.unshift(
      ...(stats.inPlaceBytes > 0 ? [stage('disk->host image in place (wall)', stats.inPlaceBytes, stats.readWallSeconds)] : []),
      ...(staged > 0 ? [
        stage('disk->pinned (wall)', staged, stats.readWallSeconds),
        stage(`pinned->${device ? 'device' : 'host'} (copier busy)`, staged, stats.copyBusySeconds),
      ] : []),
      stage('pipeline total', stats.bytes, stats.totalSeconds),
    );
  }
  if (mapped !== undefined) stages.unshift(stage('memory fs->host image mapped (mmap, populated)', imageBytes, mapped), stage('pipeline total', imageBytes, mapped));
  const seconds = (performance.now() - t0) / 1e3;
  const image = host;
  return {
    index, source, ioMode: stats?.ioMode ?? (mapped !== undefined ? 'mmap' : 'none'), fallbackReason: stats?.fallbackReason ?? '',
    bytes: imageBytes, seconds, gbps: seconds > 0 ? imageBytes / seconds / 1e9 : Infinity, stages, tensors,
    ...(host ? { host } : {}), ...(device ? { device } : {}),
    async copyImageTo(dest: Uint8Array, copyOpts?: CopyOptions): Promise<void> {
      if (!image) throw new NativeError('copyImageTo needs a host load; use device.download for GPU images', 'EINVAL');
      if (!(dest instanceof Uint8Array) || dest.byteLength !== image.byteLength) throw new NativeError(`copyImageTo: destination must be a Uint8Array of ${image.byteLength} bytes, got ${(dest as Uint8Array | undefined)?.byteLength}`, 'EINVAL');
      await copyBytes(dest, image, copyOpts);
    },
    view(name: string): TypedView {
      const t = tensors.get(name);
      if (!t) throw new NativeError(`no tensor named ${JSON.stringify(name)} in ${dir}`, 'ENOENT');
      if (!image) throw new NativeError('typed views exist only for host loads; use device + offset for GPU tensors', 'EINVAL');
      return typedView(image, t);
    },
    release,
  };
}

/** statfs f_type of the in-memory file systems (linux/magic.h), as backend/model/storage-tier.ts. */
const MEMORY_FS = new Set([0x01021994 /* TMPFS_MAGIC */, 0x858458f6 /* RAMFS_MAGIC */]);

async function onMemoryFs(dir: string): Promise<boolean> {
  return MEMORY_FS.has(Number((await statfs(dir)).type));
}
