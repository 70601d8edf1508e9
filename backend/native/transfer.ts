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
import { KvConnection } from './kv-connection.ts';
import { FrameReader, MsgType, bodyCrc, bodyCrcAsync, encodeHeader, type Header } from './wire.ts';

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
  /**
   * Called with the payload of a COMMIT message once every message before it on its connection
   * was handled; resolves to accept (acknowledged), throws to refuse (the sender sees the error).
   * A connection whose blocks failed since its last COMMIT refuses the next one itself. Without
   * this option every COMMIT is refused.
   */
  onCommit?: (payload: Buffer) => void | Promise<void>;
  /** Called when a connection fails (peer died, corrupted stream); blocks of the failed message are not written. */
  onError?: (err: TransferError) => void;
}

export interface KvReceiver {
  port: number;
  /** Connections open now; one a sender closed counts until this side has read the close. */
  readonly connections: number;
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
    // Acknowledgements are tiny writes that follow each other (a message's, then the COMMIT's
    // behind it): Nagle would hold the second until the sender's delayed ACK (~40 ms on Linux).
    socket.setNoDelay(true);
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
    /** Why a Blocks message failed since the last COMMIT (that COMMIT must not apply half a copy). */
    let blocksFailed: string | undefined;
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
        if (h.type === MsgType.Commit) {
          const failed = blocksFailed;
          blocksFailed = undefined;
          if (failed !== undefined) throw new TransferError(`COMMIT refused: blocks sent before it on this connection were not written (${failed})`);
          if (opts.onCommit === undefined) throw new TransferError('COMMIT refused: this receiver takes no commits');
          await opts.onCommit(body);
          socket.write(encodeHeader({ type: MsgType.Ack, seq: h.seq, count: 0, bodyBytes: 0, bodyCrc: 0 }));
          return;
        }
        if (h.type !== MsgType.Blocks) throw new TransferError(`unexpected message type ${h.type} from sender`);
        const idBytes = h.count * 4;
        if (h.bodyBytes !== idBytes + pool.stagingBytes(h.count)) throw new TransferError(`message ${h.seq}: ${h.bodyBytes} body bytes do not match ${h.count} blocks of this pool's geometry`);
        const ids = new Int32Array(h.count);
        for (let i = 0; i < h.count; i++) ids[i] = body.readInt32LE(i * 4);
        // A few blocks (a migration's last stage, its request waiting) are written inline.
        if (pool.copiesInline(h.count)) pool.scatterSync(ids, body.subarray(idBytes));
        else await pool.scatter(ids, body.subarray(idBytes));
        opts.onBlocks?.({ seq: h.seq, blockIds: ids, bytes: h.bodyBytes });
        socket.write(encodeHeader({ type: MsgType.Ack, seq: h.seq, count: 0, bodyBytes: 0, bodyCrc: 0 }));
      } catch (err) {
        if (h.type === MsgType.Blocks) blocksFailed ??= `message ${h.seq}: ${err instanceof Error ? err.message : String(err)}`;
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
    get connections() {
      return sockets.size;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
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

/** One transfer on a connection of its own (opened, used, closed): see KvConnection for reuse. */
export async function sendBlocks(pool: KvBlockPool, srcIds: readonly number[], dstIds: readonly number[], opts: SendOptions): Promise<SendResult> {
  if (srcIds.length !== dstIds.length) throw new NativeError(`srcIds has ${srcIds.length} ids but dstIds has ${dstIds.length}`, 'EINVAL');
  const t0 = performance.now();
  let c: KvConnection;
  try {
    c = await KvConnection.open({ host: opts.host, port: opts.port, ackTimeoutMs: checkLimit('ackTimeoutMs', opts.ackTimeoutMs, TRANSFER_DEFAULTS.ackTimeoutMs) });
  } catch (err) {
    if (!(err instanceof TransferError)) throw err;
    const per = opts.blocksPerMessage ?? Math.max(1, Math.floor((8 << 20) / pool.stagingBytes(1)));
    throw new TransferError(`${err.message}; 0/${Math.ceil(srcIds.length / per)} messages acknowledged`, { cause: err });
  }
  try {
    const r = await c.send(pool, srcIds, dstIds, { blocksPerMessage: opts.blocksPerMessage, window: opts.window });
    const seconds = (performance.now() - t0) / 1e3;
    return { bytes: r.bytes, messages: r.messages, seconds, gbps: r.bytes / seconds / 1e9 };
  } finally {
    c.close();
  }
}
