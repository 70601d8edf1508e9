// Wire format of KV transfers: a 32-byte header (with its own CRC, so a corrupted length
// can never make the receiver allocate garbage sizes) followed by a CRC-checked body.
import { crc32 } from 'node:zlib';
import { TransferError } from './errors.ts';
import { tryLoadAddon } from './load-addon.ts';

export const MAGIC = 0x564b4c46; // "FLKV" little-endian
export const WIRE_VERSION = 1;
export const HEADER_BYTES = 32;
// Commit: an opaque payload the receiver hands to its owner once every message before it on
// the connection was written (a migration's COMMIT riding behind its last blocks).
export const MsgType = { Blocks: 1, Ack: 2, Nack: 3, Commit: 4 } as const;
export type MsgTypeValue = (typeof MsgType)[keyof typeof MsgType];

export interface Header {
  type: MsgTypeValue;
  seq: number;
  count: number;
  bodyBytes: number;
  bodyCrc: number;
}

export function bodyCrc(parts: readonly Uint8Array[]): number {
  let c = 0;
  for (const p of parts) c = crc32(p, c);
  return c;
}

/** Parts at least this big are checksummed by the addon on the libuv pool. */
const OFF_THREAD_CRC_BYTES = 1 << 20;

/**
 * Same value as bodyCrc, but large parts are checksummed off the event loop (CRC-32 of a
 * 16 MiB message costs ~3-5 ms of CPU, on the main thread of both peers otherwise).
 */
export async function bodyCrcAsync(parts: readonly Uint8Array[]): Promise<number> {
  const loaded = parts.some((p) => p.byteLength >= OFF_THREAD_CRC_BYTES) ? tryLoadAddon() : undefined;
  let c = 0;
  for (const p of parts) c = loaded && 'addon' in loaded && p.byteLength >= OFF_THREAD_CRC_BYTES ? await loaded.addon.crc32(p, c >>> 0) : crc32(p, c);
  return c >>> 0;
}

export function encodeHeader(h: Header): Buffer {
  const b = Buffer.alloc(HEADER_BYTES);
  b.writeUInt32LE(MAGIC, 0);
  b.writeUInt16LE(WIRE_VERSION, 4);
  b.writeUInt16LE(h.type, 6);
  b.writeUInt32LE(h.seq >>> 0, 8);
  b.writeUInt32LE(h.count >>> 0, 12);
  b.writeBigUInt64LE(BigInt(h.bodyBytes), 16);
  b.writeUInt32LE(h.bodyCrc >>> 0, 24);
  b.writeUInt32LE(crc32(b.subarray(0, 28)), 28);
  return b;
}

export function decodeHeader(b: Buffer, maxBodyBytes: number): Header {
  if (b.readUInt32LE(0) !== MAGIC) throw new TransferError(`bad magic 0x${b.readUInt32LE(0).toString(16)}; expected 0x${MAGIC.toString(16)} (not a fleetlab KV stream?)`);
  if (crc32(b.subarray(0, 28)) !== b.readUInt32LE(28)) throw new TransferError('header checksum mismatch (corrupted stream)');
  const version = b.readUInt16LE(4);
  if (version !== WIRE_VERSION) throw new TransferError(`wire version ${version}; expected ${WIRE_VERSION}`);
  const type = b.readUInt16LE(6);
  if (type !== MsgType.Blocks && type !== MsgType.Ack && type !== MsgType.Nack && type !== MsgType.Commit) throw new TransferError(`unknown message type ${type}`);
  const bodyBytes = b.readBigUInt64LE(16);
  if (bodyBytes > BigInt(maxBodyBytes)) throw new TransferError(`message body of ${bodyBytes} bytes exceeds the limit of ${maxBodyBytes}`);
  return { type, seq: b.readUInt32LE(8), count: b.readUInt32LE(12), bodyBytes: Number(bodyBytes), bodyCrc: b.readUInt32LE(24) };
}

/**
 * Incremental parser: feed socket chunks, get whole messages back. Headers are always
 * verified here. Bodies are verified here too (CRC accumulated as bytes arrive) unless
 * `deferBodyCheck` is set, in which case the caller MUST check `h.bodyCrc` (bodyCrcAsync)
 * before acting on the body. Bodies come from `allocBody`, so a receiver can recycle them
 * instead of faulting in fresh memory for every message.
 */
export class FrameReader {
  #header = Buffer.alloc(HEADER_BYTES);
  #headerFill = 0;
  #current: Header | undefined;
  #body: Buffer | undefined;
  #bodyFill = 0;
  #crc = 0;

  constructor(
    private readonly maxBodyBytes: number,
    private readonly allocBody: (bytes: number) => Buffer = (n) => Buffer.allocUnsafe(n),
    private readonly deferBodyCheck = false,
  ) {}

  /** Drops the message being received (its buffer is released); the next byte starts a header. */
  reset(): void {
    this.#current = undefined;
    this.#body = undefined;
    this.#headerFill = 0;
    this.#bodyFill = 0;
  }

  /** True when the stream stopped in the middle of a message. */
  get partial(): boolean {
    return this.#headerFill > 0 || this.#current !== undefined;
  }

  push(chunk: Buffer, onMessage: (h: Header, body: Buffer) => void): void {
    let at = 0;
    while (at < chunk.length) {
      if (!this.#current) {
        const n = Math.min(HEADER_BYTES - this.#headerFill, chunk.length - at);
        chunk.copy(this.#header, this.#headerFill, at, at + n);
        this.#headerFill += n;
        at += n;
        if (this.#headerFill < HEADER_BYTES) return;
        this.#current = decodeHeader(this.#header, this.maxBodyBytes);
        this.#body = this.allocBody(this.#current.bodyBytes);
        this.#bodyFill = 0;
        this.#crc = 0;
        this.#headerFill = 0;
      }
      const body = this.#body!;
      const n = Math.min(body.length - this.#bodyFill, chunk.length - at);
      chunk.copy(body, this.#bodyFill, at, at + n);
      if (!this.deferBodyCheck) this.#crc = crc32(body.subarray(this.#bodyFill, this.#bodyFill + n), this.#crc);
      this.#bodyFill += n;
      at += n;
      if (this.#bodyFill === body.length) {
        const h = this.#current;
        this.#current = undefined;
        this.#body = undefined;
        if (!this.deferBodyCheck && this.#crc >>> 0 !== h.bodyCrc) throw new TransferError(`message ${h.seq}: body checksum mismatch (corrupted in transit)`);
        onMessage(h, body);
      }
    }
  }
}
