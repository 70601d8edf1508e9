// KV block pools: per layer K and V slabs shaped [numBlocks, blockSize, numKvHeads, headDim],
// allocated once, on the host or one GPU. Staging buffers hold the selected blocks laid out
// [layer][K, V][i], which is also the wire format of transfer.ts.
import { loadAddon } from './load-addon.ts';
import type { NativeKvPool } from './addon-types.ts';
import { DTYPE_BYTES } from './dtype.ts';
import { NativeError, fromNative } from './errors.ts';

export type KvDtype = 'f32' | 'f16' | 'bf16';

export interface KvPoolSpec {
  numLayers: number;
  numBlocks: number;
  blockSize: number;
  numKvHeads: number;
  headDim: number;
  dtype: KvDtype;
  /** GPU ordinal; omit for host memory. */
  device?: number;
}

/**
 * Copies of at most this many bytes between a host pool and a staging buffer run on the
 * calling thread (gatherSync/scatterSync): a migration's last stage moves a block or two while
 * its request waits, and a memcpy of tens of kB takes microseconds where a round trip through
 * the libuv pool (thread wake-up, event-loop turn) took milliseconds on a loaded machine.
 */
export const INLINE_COPY_MAX_BYTES = 256 << 10;

function posInt(name: string, v: number, max = 2 ** 30): void {
  if (!Number.isInteger(v) || v < 1 || v > max) throw new NativeError(`KvPoolSpec.${name} must be an integer in [1, ${max}], got ${v}`, 'EINVAL');
}

export class KvBlockPool {
  readonly spec: Readonly<KvPoolSpec>;
  /** Bytes of one block of one layer's K (or V). */
  readonly blockBytes: number;
  #native: NativeKvPool | undefined;

  constructor(spec: KvPoolSpec) {
    posInt('numLayers', spec.numLayers, 65536);
    posInt('numBlocks', spec.numBlocks);
    posInt('blockSize', spec.blockSize, 65536);
    posInt('numKvHeads', spec.numKvHeads, 65536);
    posInt('headDim', spec.headDim, 65536);
    if (!['f32', 'f16', 'bf16'].includes(spec.dtype)) throw new NativeError(`KvPoolSpec.dtype must be f32, f16 or bf16, got ${String(spec.dtype)}`, 'EINVAL');
    if (spec.device !== undefined && !(Number.isInteger(spec.device) && spec.device >= 0)) throw new NativeError(`KvPoolSpec.device must be a GPU ordinal >= 0, got ${spec.device}`, 'EINVAL');
    this.spec = Object.freeze({ ...spec });
    this.blockBytes = spec.blockSize * spec.numKvHeads * spec.headDim * DTYPE_BYTES[spec.dtype];
    if (!Number.isSafeInteger(this.blockBytes * spec.numBlocks)) throw new NativeError('KV pool too large', 'EINVAL');
    try {
      this.#native = new (loadAddon().KvPool)(spec.numLayers, spec.numBlocks, this.blockBytes, spec.device ?? -1);
    } catch (err) {
      throw fromNative(err, 'KV pool allocation');
    }
  }

  /** Total bytes of a staging buffer for n blocks (all layers, K and V). */
  stagingBytes(n: number): number {
    return n * this.blockBytes * 2 * this.spec.numLayers;
  }

  get totalBytes(): number {
    return this.stagingBytes(this.spec.numBlocks);
  }

  /** Copies the blocks into a contiguous staging buffer (allocated when not given). */
  async gather(blockIds: ArrayLike<number>, staging?: Uint8Array): Promise<Uint8Array> {
    const ids = this.ids(blockIds, 'blockIds', false);
    const out = staging ?? Buffer.allocUnsafe(this.stagingBytes(ids.length));
    this.checkStaging(out, ids.length);
    await this.native.gather(ids, out).catch((err: unknown) => { throw fromNative(err, 'KV gather'); });
    return out;
  }

  /** Writes a staging buffer into the given blocks (ids must be distinct). */
  async scatter(blockIds: ArrayLike<number>, staging: Uint8Array): Promise<void> {
    const ids = this.ids(blockIds, 'blockIds', true);
    this.checkStaging(staging, ids.length);
    await this.native.scatter(ids, staging).catch((err: unknown) => { throw fromNative(err, 'KV scatter'); });
  }

  /** Whether a copy of `n` blocks runs inline (gatherSync/scatterSync): a host pool, at most INLINE_COPY_MAX_BYTES. */
  copiesInline(n: number): boolean {
    return this.spec.device === undefined && this.stagingBytes(n) <= INLINE_COPY_MAX_BYTES;
  }

  /** gather on the calling thread (host pools; meant for a few blocks: see copiesInline). */
  gatherSync(blockIds: ArrayLike<number>, staging: Uint8Array): void {
    const ids = this.ids(blockIds, 'blockIds', false);
    this.checkStaging(staging, ids.length);
    try {
      this.native.gatherSync(ids, staging);
    } catch (err) {
      throw fromNative(err, 'KV gather');
    }
  }

  /** scatter on the calling thread (host pools; meant for a few blocks: see copiesInline). */
  scatterSync(blockIds: ArrayLike<number>, staging: Uint8Array): void {
    const ids = this.ids(blockIds, 'blockIds', true);
    this.checkStaging(staging, ids.length);
    try {
      this.native.scatterSync(ids, staging);
    } catch (err) {
      throw fromNative(err, 'KV scatter');
    }
  }

  /** Copies blocks into another pool of the same geometry (same device, peer, or via host). */
  async copyTo(dst: KvBlockPool, srcIds: ArrayLike<number>, dstIds: ArrayLike<number>): Promise<void> {
    if (dst.blockBytes !== this.blockBytes || dst.spec.numLayers !== this.spec.numLayers) {
      throw new NativeError(`KV copy needs equal geometry: ${this.spec.numLayers} layers × ${this.blockBytes} B/block vs ${dst.spec.numLayers} × ${dst.blockBytes}`, 'EINVAL');
    }
    const s = this.ids(srcIds, 'srcIds', false);
    const d = dst.ids(dstIds, 'dstIds', true);
    if (s.length !== d.length) throw new NativeError(`srcIds has ${s.length} ids but dstIds has ${d.length}`, 'EINVAL');
    if (dst === this) {
      const src = new Set(s);
      if (d.some((x) => src.has(x))) throw new NativeError('copy within one pool must not write blocks it reads', 'EINVAL');
    }
    await this.native.copyTo(dst.native, s, d).catch((err: unknown) => { throw fromNative(err, 'KV copy'); });
  }

  /** The addon object, for other native classes that read the pool (the model runner). */
  nativeHandle(): NativeKvPool {
    return this.native;
  }

  get pinned(): boolean {
    return this.native.pinned;
  }

  /** Releases the memory (deferred until in-flight operations finish). */
  free(): void {
    this.#native?.free();
    this.#native = undefined;
  }

  private get native(): NativeKvPool {
    if (!this.#native) throw new NativeError('KV pool was freed', 'EFREED');
    return this.#native;
  }

  private ids(list: ArrayLike<number>, name: string, distinct: boolean): Int32Array {
    const ids = Int32Array.from(list as ArrayLike<number>);
    const seen = distinct ? new Set<number>() : undefined;
    for (let i = 0; i < list.length; i++) {
      const v = list[i]!;
      if (!Number.isInteger(v) || v < 0 || v >= this.spec.numBlocks) throw new NativeError(`${name}[${i}] = ${v}; expected an integer in [0, ${this.spec.numBlocks})`, 'EINVAL');
      if (seen) {
        if (seen.has(v)) throw new NativeError(`${name}[${i}] = ${v} repeats an earlier id; destination blocks must be distinct`, 'EINVAL');
        seen.add(v);
      }
    }
    return ids;
  }

  private checkStaging(buf: Uint8Array, n: number): void {
    if (!(buf instanceof Uint8Array) || buf.byteLength !== this.stagingBytes(n)) {
      throw new NativeError(`staging buffer must be a Uint8Array of ${this.stagingBytes(n)} bytes for ${n} blocks, got ${buf?.byteLength}`, 'EINVAL');
    }
  }
}
