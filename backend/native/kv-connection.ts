// The sending side of a KV transfer as a connection that outlives one transfer: a migration
// opens it (or takes one from a pool) before it suspends its request, reuses it for every
// stage, and can end its last stage with a COMMIT message on the same stream, so the
// suspended request pays neither a TCP handshake nor an extra RPC round trip. Sequence
// numbers run on across transfers of one connection; the receiver acknowledges in order.
import net from 'node:net';
import { once } from 'node:events';
import type { KvBlockPool } from './kv-pool.ts';
import { TransferError, NativeError } from './errors.ts';
import { FrameReader, HEADER_BYTES, MsgType, bodyCrc, bodyCrcAsync, encodeHeader } from './wire.ts';

export interface KvConnectOptions {
  host?: string | undefined;
  port: number;
  /**
   * Fail a transfer when the oldest unacknowledged message (or the connection itself) sees no
   * progress for this long (default 30 s): a receiver that never reads or never acks cannot
   * hang the sender.
   */
  ackTimeoutMs?: number | undefined;
}

export interface KvSendOptions {
  /** Blocks per message (default: about 8 MiB per message). */
  blocksPerMessage?: number | undefined;
  /** Messages in flight before waiting for an acknowledgement (default 4; memory: window × message). */
  window?: number | undefined;
  /**
   * A COMMIT payload sent right after the blocks, on the same stream: the receiver hands it to
   * its `onCommit` only once every block before it was verified and written; its refusal
   * (or a failed block) fails the transfer.
   */
  commit?: Uint8Array;
}

export interface KvSendResult {
  bytes: number;
  messages: number;
  seconds: number;
  gbps: number;
  /** Milliseconds from the start of this transfer until its last block message was acknowledged (0 without blocks). */
  blocks_acked_ms: number;
}

/** Default of the sender's liveness limit (TRANSFER_DEFAULTS.ackTimeoutMs). */
const ACK_TIMEOUT_MS = 30_000;

function checkPositive(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new NativeError(`${name} must be a positive integer, got ${v}`, 'EINVAL');
  return v;
}

/** Waits for 'drain' (backpressure released) or 'close', leaving no listeners behind. */
function drainOrClose(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

export class KvConnection {
  readonly #socket: net.Socket;
  readonly #where: string;
  readonly #ackMs: number;
  readonly #pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  readonly #reader = new FrameReader(1 << 20);
  #closedError: TransferError | undefined;
  /** Next sequence number to send, and the next one awaiting its acknowledgement. */
  #seq = 0;
  #acked = 0;
  #lastProgress = performance.now();
  #busy = false;
  /** The transfer running now: its first sequence number and its message count. */
  #transfer: { first: number; total: number } | undefined;
  /** One payload buffer per window slot, kept across transfers (fresh buffers page-fault). */
  readonly #ring: Buffer[] = [];

  private constructor(opts: KvConnectOptions) {
    this.#where = `${opts.host ?? '127.0.0.1'}:${opts.port}`;
    this.#ackMs = checkPositive('ackTimeoutMs', opts.ackTimeoutMs ?? ACK_TIMEOUT_MS);
    this.#socket = net.connect({ host: opts.host ?? '127.0.0.1', port: opts.port });
    this.#socket.setNoDelay(true);
    this.#socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    this.#socket.on('error', (err) => this.#fail(new TransferError(`KV transfer to ${this.#where} failed after ${this.#progress()} messages acknowledged: ${err.message}`, { cause: err })));
    this.#socket.on('close', () => this.#fail(new TransferError(`receiver closed the connection after ${this.#progress()} messages acknowledged`)));
  }

  /** Opens a connection; fails (TransferError) when the receiver cannot be reached within ackTimeoutMs. */
  static async open(opts: KvConnectOptions): Promise<KvConnection> {
    const c = new KvConnection(opts);
    const watchdog = setInterval(() => {
      if (performance.now() - c.#lastProgress < c.#ackMs) return;
      c.#fail(new TransferError(`KV transfer to ${c.#where}: no progress for ${c.#ackMs} ms while connecting (ackTimeoutMs)`));
    }, Math.min(c.#ackMs, 1000));
    try {
      await Promise.race([once(c.#socket, 'connect'), once(c.#socket, 'close').then(() => { throw c.#closedError; })]);
      // Idle, it does not keep the process alive; a transfer refs it while it runs.
      c.#socket.unref();
      return c;
    } catch (err) {
      c.close();
      throw c.#closedError ?? new TransferError(`KV transfer to ${c.#where}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    } finally {
      clearInterval(watchdog);
    }
  }

  /** Open and not failed: a transfer may start on it. */
  get usable(): boolean {
    return this.#closedError === undefined && !this.#socket.destroyed;
  }

  /** A transfer is running on it. */
  get busy(): boolean {
    return this.#busy;
  }

  get where(): string {
    return this.#where;
  }

  close(): void {
    this.#fail(new TransferError(`KV connection to ${this.#where} was closed by its owner`));
  }

  /** Copies `srcIds` of `pool` into blocks `dstIds` of the receiver's pool (then the COMMIT, if any); one transfer at a time. */
  async send(pool: KvBlockPool, srcIds: readonly number[], dstIds: readonly number[], opts: KvSendOptions = {}): Promise<KvSendResult> {
    if (srcIds.length !== dstIds.length) throw new NativeError(`srcIds has ${srcIds.length} ids but dstIds has ${dstIds.length}`, 'EINVAL');
    for (const [i, v] of dstIds.entries()) if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) throw new NativeError(`dstIds[${i}] = ${v}; expected a non-negative int32`, 'EINVAL');
    // 4 × 8 MiB had the best median of {2, 3, 4} × {8, 16} MiB on the 2-vCPU dev VM (bench:native).
    const per = opts.blocksPerMessage ?? Math.max(1, Math.floor((8 << 20) / pool.stagingBytes(1)));
    const window = opts.window ?? 4;
    if (!Number.isInteger(window) || window < 1 || window > 64) throw new NativeError(`window must be an integer in [1, 64], got ${window}`, 'EINVAL');
    if (!Number.isInteger(per) || per < 1) throw new NativeError(`blocksPerMessage must be a positive integer, got ${per}`, 'EINVAL');
    if (this.#busy) throw new NativeError(`KV connection to ${this.#where} is already sending (one transfer at a time)`, 'EINVAL');
    if (this.#closedError !== undefined) throw this.#closedError;
    this.#busy = true;
    this.#socket.ref();
    const t0 = performance.now();
    const first = this.#seq;
    const total = Math.ceil(srcIds.length / per);
    this.#transfer = { first, total: total + (opts.commit === undefined ? 0 : 1) };
    const progress = () => `${this.#progress()} messages acknowledged`;
    this.#lastProgress = performance.now();
    // Progress = an acknowledgement. The timer fails the transfer when none comes in time,
    // whether the receiver stopped reading, acking or answering.
    const watchdog = setInterval(() => {
      // Nothing awaited (between messages, gathering the next): not the receiver's delay.
      if (this.#pending.size === 0) this.#lastProgress = performance.now();
      if (performance.now() - this.#lastProgress < this.#ackMs) return;
      this.#fail(new TransferError(`KV transfer to ${this.#where}: no progress for ${this.#ackMs} ms while waiting for the acknowledgement of message ${this.#acked} (ackTimeoutMs); ${progress()}`));
    }, Math.min(this.#ackMs, 1000));
    watchdog.unref();
    const inflight: Promise<void>[] = [];
    let blocksAcked = t0;
    try {
      let bytes = 0;
      for (let m = 0; m < total; m++) {
        const s = srcIds.slice(m * per, (m + 1) * per);
        const d = dstIds.slice(m * per, (m + 1) * per);
        // Message m reuses the buffer of message m - window, already acknowledged (off the wire).
        const slot = m % window;
        const need = pool.stagingBytes(Math.min(per, srcIds.length));
        if ((this.#ring[slot]?.length ?? 0) < need) this.#ring[slot] = Buffer.allocUnsafeSlow(need);
        const payload = this.#ring[slot]!.subarray(0, pool.stagingBytes(s.length));
        // A few blocks (a last stage) are copied inline: no thread-pool round trip while the request waits.
        if (pool.copiesInline(s.length)) pool.gatherSync(s, payload);
        else await pool.gather(s, payload);
        // Header and ids in one buffer: one write, and the ids are CRC'd from the same memory.
        const head = Buffer.allocUnsafe(HEADER_BYTES + d.length * 4);
        const ids = head.subarray(HEADER_BYTES);
        d.forEach((v, i) => ids.writeInt32LE(v, i * 4));
        const seq = this.#seq;
        encodeHeader({ type: MsgType.Blocks, seq, count: d.length, bodyBytes: ids.length + payload.byteLength, bodyCrc: await bodyCrcAsync([ids, payload]) }).copy(head, 0);
        const ack = this.#expect();
        inflight.push(m === total - 1 ? ack.then(() => void (blocksAcked = performance.now())) : ack);
        this.#socket.cork();
        this.#socket.write(head);
        this.#socket.write(payload);
        this.#socket.uncork();
        bytes += head.length + payload.byteLength;
        // Backpressure: let at most about one message wait in user space; the next gather
        // overlaps with the kernel draining this one.
        if (this.#socket.writableLength > payload.byteLength + head.length) await drainOrClose(this.#socket);
        if (this.#seq - this.#acked >= window) await inflight[this.#acked - first];
      }
      if (opts.commit !== undefined) {
        // Pipelined behind the blocks: the receiver handles messages in order.
        const body = Buffer.from(opts.commit);
        const seq = this.#seq;
        const ack = this.#expect();
        inflight.push(ack);
        this.#socket.write(Buffer.concat([encodeHeader({ type: MsgType.Commit, seq, count: 0, bodyBytes: body.length, bodyCrc: bodyCrc([body]) }), body]));
        bytes += HEADER_BYTES + body.length;
      }
      await Promise.all(inflight);
      const seconds = (performance.now() - t0) / 1e3;
      return { bytes, messages: inflight.length, seconds, gbps: bytes / seconds / 1e9, blocks_acked_ms: total === 0 ? 0 : blocksAcked - t0 };
    } catch (err) {
      // A failed transfer leaves the stream in an unknown state: this connection is done.
      for (const p of inflight) p.catch(() => {});
      const e = err instanceof NativeError ? err : new TransferError(`KV transfer to ${this.#where} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      this.#fail(e instanceof TransferError ? e : new TransferError(e.message, { cause: e }));
      throw e;
    } finally {
      clearInterval(watchdog);
      this.#busy = false;
      this.#transfer = undefined;
      this.#socket.unref();
    }
  }

  /** "acked/total" of the transfer running now, or the connection's acknowledged count between transfers. */
  #progress(): string {
    const t = this.#transfer;
    return t === undefined ? `${this.#acked}` : `${this.#acked - t.first}/${t.total}`;
  }

  /** Registers the acknowledgement awaited for the next message and advances the sequence. */
  #expect(): Promise<void> {
    if (this.#closedError !== undefined) throw this.#closedError;
    const seq = this.#seq++;
    const ack = new Promise<void>((resolve, reject) => this.#pending.set(seq, { resolve, reject }));
    ack.catch(() => {}); // observed by the transfer; avoids an unhandled rejection when the peer dies early
    return ack;
  }

  #onData(chunk: Buffer): void {
    try {
      this.#reader.push(chunk, (h, body) => {
        if (h.type === MsgType.Blocks || h.type === MsgType.Commit) throw new TransferError(`receiver sent a message of type ${h.type} (seq ${h.seq}); expected acknowledgements only`);
        // The receiver acknowledges in order: anything but the oldest unacknowledged message is
        // a stray or duplicate acknowledgement and must not advance the window.
        const p = this.#pending.get(h.seq);
        if (h.seq !== this.#acked || p === undefined) {
          throw new TransferError(`receiver acknowledged message ${h.seq}, but the next awaiting acknowledgement is ${this.#acked}${p === undefined ? ' (stray or duplicate)' : ''}`);
        }
        this.#pending.delete(h.seq);
        this.#lastProgress = performance.now();
        this.#acked++;
        if (h.type === MsgType.Ack) p.resolve();
        else p.reject(new TransferError(`receiver rejected message ${h.seq}: ${body.toString('utf8')}`));
      });
    } catch (err) {
      this.#fail(err instanceof TransferError ? err : new TransferError(String(err)));
    }
  }

  /** Ends the connection for good: every awaited acknowledgement fails with the first error. */
  #fail(err: TransferError): void {
    this.#closedError ??= err;
    for (const p of this.#pending.values()) p.reject(this.#closedError);
    this.#pending.clear();
    this.#socket.destroy();
  }
}
