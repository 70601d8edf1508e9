// Streams KV blocks between processes over TCP. The receiver stages each message in memory,
// verifies its checksum, and only then scatters it, so a peer dying mid-message leaves the
// destination blocks untouched. The sender honours socket backpressure and a window of
// unacknowledged messages.
// Throughput: both sides recycle their message buffers (a fresh 16 MiB buffer per message
// costs page faults that, on a small VM, ran slower than loopback TCP), the CRC is computed
// while bytes are hot in cache, the sender gathers message m+1 while m is still flushing,
// and the receiver keeps reading message m+1 while m is being scattered.
import net from 'node:net';
import { once } from 'node:events';
import type { KvBlockPool } from './kv-pool.ts';
import { TransferError, NativeError } from './errors.ts';
import { FrameReader, HEADER_BYTES, MsgType, bodyCrc, bodyCrcAsync, encodeHeader, type Header } from './wire.ts';

/** Defaults of the liveness limits: a silent peer is dropped, never waited on forever. */
export const TRANSFER_DEFAULTS = {
  /** Receiver: a connection with no bytes for this long is closed (its partial message discarded). */
  idleTimeoutMs: 30_000,
  /** Receiver: connections served at once; more are refused (each may hold two message buffers). */
  maxConnections: 8,
  /** Sender: the oldest unacknowledged message must be acknowledged within this, or the transfer fails. */
  ackTimeoutMs: 30_000,
} as const;

export interface ReceiverOptions {
  host?: string;
  port?: number;
  /** Close a connection silent for this long (default TRANSFER_DEFAULTS.idleTimeoutMs). */
  idleTimeoutMs?: number;
  /** Connections served at once (default TRANSFER_DEFAULTS.maxConnections); extra ones are closed at once. */
  maxConnections?: number;
  /** Called after each message has been verified and scattered. */
  onBlocks?: (info: { seq: number; blockIds: Int32Array; bytes: number }) => void;
  /** Called when a connection fails (peer died, corrupted stream); blocks of the failed message are not written. */
  onError?: (err: TransferError) => void;
}

export interface KvReceiver {
  port: number;
  close(): Promise<void>;
}

function checkLimit(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1) throw new NativeError(`${name} must be a positive integer, got ${v}`, 'EINVAL');
  return v;
}

export async function listenForBlocks(pool: KvBlockPool, opts: ReceiverOptions = {}): Promise<KvReceiver> {
  const maxBody = pool.spec.numBlocks * 4 + pool.stagingBytes(pool.spec.numBlocks);
  const idleMs = checkLimit('idleTimeoutMs', opts.idleTimeoutMs, TRANSFER_DEFAULTS.idleTimeoutMs);
  const maxConnections = checkLimit('maxConnections', opts.maxConnections, TRANSFER_DEFAULTS.maxConnections);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    if (sockets.size >= maxConnections) {
      opts.onError?.(new TransferError(`refused a connection from ${socket.remoteAddress}:${socket.remotePort}: ${maxConnections} connections already open (maxConnections)`));
      socket.destroy();
      return;
    }
    sockets.add(socket);
    // A sender that stops mid-message (or never starts) would otherwise pin its buffers forever.
    socket.setTimeout(idleMs, () => fail(new TransferError(`sender sent nothing for ${idleMs} ms (idleTimeoutMs); connection closed, its partial message discarded`)));
    // Bodies are recycled once scattered; at most two are alive per connection (one being
    // scattered, one being received) because reading pauses beyond that.
    const spare: Buffer[] = [];
    const reader = new FrameReader(maxBody, (n) => {
      const i = spare.findIndex((b) => b.length === n);
      return i >= 0 ? spare.splice(i, 1)[0]! : Buffer.allocUnsafeSlow(n);
    }, true); // body CRC checked off the event loop in handle(), before anything is written
    let chain = Promise.resolve();
    let queued = 0;
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      const e = err instanceof TransferError ? err : new TransferError(`KV receive failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      opts.onError?.(e);
      socket.destroy();
      release();
    };
    // Buffers of a failed or closed connection are dropped at once, not when the socket is collected.
    const release = () => {
      spare.length = 0;
      reader.reset();
    };
    const handle = async (h: Header, body: Buffer) => {
      if (failed) return;
      if ((await bodyCrcAsync([body])) !== h.bodyCrc) {
        fail(new TransferError(`message ${h.seq}: body checksum mismatch (corrupted in transit); no blocks of it were written`));
        return;
      }
      try {
        if (h.type !== MsgType.Blocks) throw new TransferError(`unexpected message type ${h.type} from sender`);
        const idBytes = h.count * 4;
        if (h.bodyBytes !== idBytes + pool.stagingBytes(h.count)) throw new TransferError(`message ${h.seq}: ${h.bodyBytes} body bytes do not match ${h.count} blocks of this pool's geometry`);
        const ids = new Int32Array(h.count);
        for (let i = 0; i < h.count; i++) ids[i] = body.readInt32LE(i * 4);
        await pool.scatter(ids, body.subarray(idBytes));
        opts.onBlocks?.({ seq: h.seq, blockIds: ids, bytes: h.bodyBytes });
        socket.write(encodeHeader({ type: MsgType.Ack, seq: h.seq, count: 0, bodyBytes: 0, bodyCrc: 0 }));
      } catch (err) {
        const msg = Buffer.from(err instanceof Error ? err.message : String(err));
        socket.write(Buffer.concat([encodeHeader({ type: MsgType.Nack, seq: h.seq, count: 0, bodyBytes: msg.length, bodyCrc: bodyCrc([msg]) }), msg]));
      }
    };
    socket.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk, (h, body) => {
          // Scatter in order. Reading continues into the next message while one is being
          // scattered; with two queued it pauses, so memory stays bounded (TCP pushes back).
          if (++queued >= 2) socket.pause();
          chain = chain.then(() => handle(h, body)).finally(() => {
            if (spare.length < 2) spare.push(body);
            if (--queued < 2 && !failed) socket.resume();
          });
        });
      } catch (err) {
        fail(err);
      }
    });
    socket.on('error', (err) => fail(new TransferError(`connection from sender failed: ${err.message}`, { cause: err })));
    socket.on('close', () => {
      sockets.delete(socket);
      if (reader.partial) fail(new TransferError('sender disconnected in the middle of a message; that message was discarded and no blocks were written'));
      release();
    });
  });
  server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
  await once(server, 'listening');
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new NativeError('receiver has no TCP address', 'ETRANSFER');
  return {
    port: addr.port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
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

export interface SendOptions {
  host?: string;
  port: number;
  /** Blocks per message (default: about 8 MiB per message). */
  blocksPerMessage?: number;
  /** Messages in flight before waiting for an acknowledgement (default 4; memory: window × message). */
  window?: number;
  /**
   * Fail when the oldest unacknowledged message (or the connection itself) sees no progress
   * for this long (default TRANSFER_DEFAULTS.ackTimeoutMs): a receiver that never reads or
   * never acks cannot hang the sender.
   */
  ackTimeoutMs?: number;
}

export interface SendResult {
  bytes: number;
  messages: number;
  seconds: number;
  gbps: number;
}

export async function sendBlocks(pool: KvBlockPool, srcIds: readonly number[], dstIds: readonly number[], opts: SendOptions): Promise<SendResult> {
  if (srcIds.length !== dstIds.length) throw new NativeError(`srcIds has ${srcIds.length} ids but dstIds has ${dstIds.length}`, 'EINVAL');
  for (const [i, v] of dstIds.entries()) if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) throw new NativeError(`dstIds[${i}] = ${v}; expected a non-negative int32`, 'EINVAL');
  // 4 × 8 MiB had the best median of {2, 3, 4} × {8, 16} MiB on the 2-vCPU dev VM (bench:native).
  const per = opts.blocksPerMessage ?? Math.max(1, Math.floor((8 << 20) / pool.stagingBytes(1)));
  const window = opts.window ?? 4;
  if (!Number.isInteger(window) || window < 1 || window > 64) throw new NativeError(`window must be an integer in [1, 64], got ${window}`, 'EINVAL');
  if (!Number.isInteger(per) || per < 1) throw new NativeError(`blocksPerMessage must be a positive integer, got ${per}`, 'EINVAL');
  const ackMs = checkLimit('ackTimeoutMs', opts.ackTimeoutMs, TRANSFER_DEFAULTS.ackTimeoutMs);
  const t0 = performance.now();
  const socket = net.connect({ host: opts.host ?? '127.0.0.1', port: opts.port });
  socket.setNoDelay(true);
  const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let closedError: TransferError | undefined;
  let acked = 0;
  const total = Math.ceil(srcIds.length / per);
  const closeAll = (err: TransferError) => {
    closedError ??= err;
    for (const p of pending.values()) p.reject(closedError);
    pending.clear();
  };
  const reader = new FrameReader(1 << 20);
  // Progress = an acknowledgement (or the connection opening). The timer fails the transfer
  // when none comes in time, whether the receiver stopped reading, acking or answering.
  let lastProgress = performance.now();
  const watchdog = setInterval(() => {
    // Nothing awaited (between messages, gathering the next): not the receiver's delay.
    if (pending.size === 0 && !socket.connecting) lastProgress = performance.now();
    if (performance.now() - lastProgress < ackMs) return;
    const what = socket.connecting ? 'connecting' : `waiting for the acknowledgement of message ${acked}`;
    closeAll(new TransferError(`KV transfer to ${opts.host ?? '127.0.0.1'}:${opts.port}: no progress for ${ackMs} ms while ${what} (ackTimeoutMs); ${acked}/${total} messages acknowledged`));
    socket.destroy();
  }, Math.min(ackMs, 1000));
  socket.on('data', (chunk: Buffer) => {
    try {
      reader.push(chunk, (h, body) => {
        if (h.type === MsgType.Blocks) throw new TransferError(`receiver sent a Blocks message (seq ${h.seq}); expected acknowledgements only`);
        // The receiver acknowledges in order: anything but the oldest unacknowledged message is
        // a stray or duplicate acknowledgement and must not advance the window.
        const p = pending.get(h.seq);
        if (h.seq !== acked || p === undefined) {
          throw new TransferError(`receiver acknowledged message ${h.seq}, but the next awaiting acknowledgement is ${acked}${p === undefined ? ' (stray or duplicate)' : ''}`);
        }
        pending.delete(h.seq);
        lastProgress = performance.now();
        if (h.type === MsgType.Ack) {
          acked++;
          p.resolve();
        } else p.reject(new TransferError(`receiver rejected message ${h.seq}: ${body.toString('utf8')}`));
      });
    } catch (err) {
      closeAll(err instanceof TransferError ? err : new TransferError(String(err)));
      socket.destroy();
    }
  });
  socket.on('error', (err) => closeAll(new TransferError(`KV transfer to ${opts.host ?? '127.0.0.1'}:${opts.port} failed after ${acked}/${total} messages acknowledged: ${err.message}`, { cause: err })));
  socket.on('close', () => closeAll(new TransferError(`receiver closed the connection after ${acked}/${total} messages acknowledged`)));
  try {
    await Promise.race([once(socket, 'connect'), once(socket, 'close').then(() => { throw closedError; })]);
    lastProgress = performance.now();
    const inflight: Promise<void>[] = [];
    // One payload buffer per window slot: message m reuses the buffer of message m - window,
    // which the window logic below has already seen acknowledged (so it is off the wire).
    const ring: Buffer[] = [];
    let bytes = 0;
    for (let m = 0; m < total; m++) {
      const s = srcIds.slice(m * per, (m + 1) * per);
      const d = dstIds.slice(m * per, (m + 1) * per);
      const slot = m % window;
      ring[slot] ??= Buffer.allocUnsafeSlow(pool.stagingBytes(Math.min(per, srcIds.length)));
      const payload = ring[slot]!.subarray(0, pool.stagingBytes(s.length));
      await pool.gather(s, payload);
      // Header and ids in one buffer: one write, and the ids are CRC'd from the same memory.
      const head = Buffer.allocUnsafe(HEADER_BYTES + d.length * 4);
      const ids = head.subarray(HEADER_BYTES);
      d.forEach((v, i) => ids.writeInt32LE(v, i * 4));
      encodeHeader({ type: MsgType.Blocks, seq: m, count: d.length, bodyBytes: ids.length + payload.byteLength, bodyCrc: await bodyCrcAsync([ids, payload]) }).copy(head, 0);
      if (closedError) throw closedError;
      const ack = new Promise<void>((resolve, reject) => pending.set(m, { resolve, reject }));
      ack.catch(() => {}); // observed below; avoids an unhandled rejection when the peer dies early
      inflight.push(ack);
      socket.cork();
      socket.write(head);
      socket.write(payload);
      socket.uncork();
      bytes += head.length + payload.byteLength;
      // Backpressure: let at most about one message wait in user space; the next gather
      // overlaps with the kernel draining this one.
      if (socket.writableLength > payload.byteLength + head.length) await drainOrClose(socket);
      if (inflight.length - acked >= window) await inflight[acked];
    }
    await Promise.all(inflight);
    const seconds = (performance.now() - t0) / 1e3;
    return { bytes, messages: total, seconds, gbps: bytes / seconds / 1e9 };
  } catch (err) {
    if (err instanceof NativeError) throw err;
    throw closedError ?? new TransferError(`KV transfer failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  } finally {
    clearInterval(watchdog);
    socket.destroy();
  }
}
