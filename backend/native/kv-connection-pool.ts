// KV connections kept open between transfers, per receiver (host:port): a source instance
// reuses its connection to a destination across the stages of a migration and across
// migrations, so no migration pays a TCP handshake, least of all while its request is
// suspended. A connection serves one transfer at a time; concurrent migrations to one
// destination each take their own. An idle connection is closed before the receiver's own
// idle limit would cut it, and a dead one (peer gone) is never handed out again.
import { TRANSFER_DEFAULTS } from './transfer.ts';
import { KvConnection } from './kv-connection.ts';
import { NativeError } from './errors.ts';

export interface KvConnectionPoolOptions {
  /** Close a connection idle for this long (default: half the receiver's idle limit, 15 s). */
  idleCloseMs?: number;
  /** Idle connections kept per receiver (default 2); more are closed when released. */
  maxIdlePerPeer?: number;
  /** The sender's liveness limit for connecting and for every transfer (default TRANSFER_DEFAULTS.ackTimeoutMs). */
  ackTimeoutMs?: number;
}

interface Idle {
  readonly conn: KvConnection;
  readonly timer: NodeJS.Timeout;
}

export class KvConnectionPool {
  readonly #idle = new Map<string, Idle[]>();
  readonly #idleCloseMs: number;
  readonly #maxIdle: number;
  readonly #ackTimeoutMs: number;
  #opened = 0;
  #closed = false;

  constructor(opts: KvConnectionPoolOptions = {}) {
    this.#idleCloseMs = opts.idleCloseMs ?? TRANSFER_DEFAULTS.idleTimeoutMs / 2;
    this.#maxIdle = opts.maxIdlePerPeer ?? 2;
    this.#ackTimeoutMs = opts.ackTimeoutMs ?? TRANSFER_DEFAULTS.ackTimeoutMs;
    for (const [name, v] of Object.entries({ idleCloseMs: this.#idleCloseMs, maxIdlePerPeer: this.#maxIdle, ackTimeoutMs: this.#ackTimeoutMs })) {
      if (!Number.isInteger(v) || v < (name === 'maxIdlePerPeer' ? 0 : 1)) throw new NativeError(`${name} must be a ${name === 'maxIdlePerPeer' ? 'non-negative' : 'positive'} integer, got ${v}`, 'EINVAL');
    }
  }

  /** Connections opened so far (reuse shows as acquisitions without a new one). */
  get opened(): number {
    return this.#opened;
  }

  /** An open connection to the receiver at host:port: an idle one if any still works, else a new one. */
  async acquire(host: string, port: number): Promise<{ conn: KvConnection; reused: boolean }> {
    if (this.#closed) throw new NativeError('KV connection pool is closed', 'EINVAL');
    const list = this.#idle.get(`${host}:${port}`) ?? [];
    for (let e = list.pop(); e !== undefined; e = list.pop()) {
      clearTimeout(e.timer);
      if (e.conn.usable) return { conn: e.conn, reused: true };
      e.conn.close();
    }
    this.#opened++;
    return { conn: await KvConnection.open({ host, port, ackTimeoutMs: this.#ackTimeoutMs }), reused: false };
  }

  /** Hands a connection back after its transfer; a failed one is closed, never reused. */
  release(conn: KvConnection): void {
    const list = this.#idle.get(conn.where) ?? [];
    if (this.#closed || !conn.usable || conn.busy || list.length >= this.#maxIdle) {
      conn.close();
      return;
    }
    const timer = setTimeout(() => {
      const i = list.findIndex((e) => e.conn === conn);
      if (i >= 0) list.splice(i, 1);
      conn.close();
    }, this.#idleCloseMs);
    timer.unref();
    list.push({ conn, timer });
    this.#idle.set(conn.where, list);
  }

  /** Closes every idle connection; connections in use are closed when released. */
  close(): void {
    this.#closed = true;
    for (const list of this.#idle.values()) {
      for (const e of list) {
        clearTimeout(e.timer);
        e.conn.close();
      }
    }
    this.#idle.clear();
  }
}
