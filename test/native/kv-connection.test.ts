// A KV connection kept open across transfers (what a migration's stages and later migrations
// reuse), the COMMIT that rides behind the blocks, and the pool that hands connections out.
import test from 'ava';
import { until } from '../waiting.ts';
import { KvBlockPool, KvConnection, KvConnectionPool, listenForBlocks, TransferError } from '../../backend/native/index.ts';

const spec = { numLayers: 2, numBlocks: 64, blockSize: 16, numKvHeads: 4, headDim: 32, dtype: 'f16' as const };

async function filled(n: number, salt: number): Promise<{ pool: KvBlockPool; data: Buffer }> {
  const pool = new KvBlockPool(spec);
  const data = Buffer.alloc(pool.stagingBytes(n));
  for (let i = 0; i < data.length; i++) data[i] = (i * 29 + salt + (i >> 11)) & 0xff;
  await pool.scatter(Array.from({ length: n }, (_, i) => i), data);
  return { pool, data };
}

test('one connection carries several transfers, and the COMMIT behind the last sees every block written', async (t) => {
  const { pool: src, data } = await filled(20, 3);
  const dst = new KvBlockPool(spec);
  const commits: { payload: string; written: boolean }[] = [];
  const all = Array.from({ length: 20 }, (_, i) => i);
  const r = await listenForBlocks(dst, {
    onCommit: async (payload) => {
      // The blocks before the COMMIT on this connection are already in the pool.
      commits.push({ payload: payload.toString(), written: Buffer.from(await dst.gather(all.map((i) => 40 + i))).equals(data) });
    },
  });
  const c = await KvConnection.open({ port: r.port });
  try {
    const first = await c.send(src, all.slice(0, 12), all.slice(0, 12).map((i) => 40 + i), { blocksPerMessage: 5 });
    t.is(first.messages, 3);
    t.true(c.usable);
    const last = await c.send(src, all.slice(12), all.slice(12).map((i) => 40 + i), { blocksPerMessage: 5, commit: Buffer.from('{"x":1}') });
    t.is(last.messages, 3, 'two block messages and the COMMIT');
    t.deepEqual(commits, [{ payload: '{"x":1}', written: true }]);
    // A COMMIT alone (no blocks left to copy) works too.
    const alone = await c.send(src, [], [], { commit: Buffer.from('{"x":2}') });
    t.is(alone.messages, 1);
    t.is(commits.length, 2);
    t.true(c.usable);
  } finally {
    c.close();
    await r.close();
  }
});

test('a refused COMMIT, or one behind blocks that failed, fails the transfer and the connection', async (t) => {
  const { pool: src } = await filled(4, 1);
  const dst = new KvBlockPool(spec);
  let called = 0;
  const r = await listenForBlocks(dst, {
    onCommit: (payload) => {
      called++;
      if (payload.toString() === 'no') throw new Error('request x is not pre-allocated here');
    },
  });
  try {
    const c = await KvConnection.open({ port: r.port });
    await t.throwsAsync(c.send(src, [0], [1], { commit: Buffer.from('no') }), { instanceOf: TransferError, message: /rejected message 1: request x is not pre-allocated here/ });
    t.false(c.usable, 'a failed transfer leaves the stream in an unknown state: not reused');
    t.is(called, 1);
    // Block 999 is outside the receiver's pool: its message is refused, and so is the COMMIT behind it.
    const d = await KvConnection.open({ port: r.port });
    await t.throwsAsync(d.send(src, [0, 1], [2, 999], { blocksPerMessage: 1, commit: Buffer.from('yes') }), { instanceOf: TransferError, message: /rejected message (1: blockIds\[0\] = 999|2: COMMIT refused: blocks sent before it on this connection were not written)/ });
    t.is(called, 1, 'the COMMIT behind a failed block never reached its handler');
    d.close();
  } finally {
    await r.close();
  }
});

test('a receiver without onCommit refuses every COMMIT', async (t) => {
  const { pool: src } = await filled(1, 0);
  const r = await listenForBlocks(new KvBlockPool(spec));
  const c = await KvConnection.open({ port: r.port });
  try {
    await t.throwsAsync(c.send(src, [0], [0], { commit: Buffer.from('{}') }), { instanceOf: TransferError, message: /takes no commits/ });
  } finally {
    c.close();
    await r.close();
  }
});

/** Resolves once every one of `conns` has seen its receiver close it. */
const closedByPeer = (...conns: KvConnection[]): Promise<void> => until('the receiver closing the connections', () => conns.every((c) => !c.usable), 30_000);

test('the pool reuses an idle connection, replaces one the receiver dropped, and never hands out a dead one', async (t) => {
  const { pool: src, data } = await filled(8, 5);
  const dst = new KvBlockPool(spec);
  const ids = Array.from({ length: 8 }, (_, i) => i);
  // The receiver drops connections idle for 300 ms; the pool would keep them 60 s.
  const r = await listenForBlocks(dst, { idleTimeoutMs: 300 });
  const pool = new KvConnectionPool({ idleCloseMs: 60_000 });
  let closed = false;
  try {
    const a = await pool.acquire('127.0.0.1', r.port);
    t.false(a.reused);
    await a.conn.send(src, ids, ids);
    pool.release(a.conn);
    const b = await pool.acquire('127.0.0.1', r.port);
    t.true(b.reused);
    t.is(b.conn, a.conn);
    // Two at once (concurrent migrations to one destination): each gets its own.
    const c = await pool.acquire('127.0.0.1', r.port);
    t.not(c.conn, b.conn);
    t.is(pool.opened, 2);
    pool.release(b.conn);
    pool.release(c.conn);
    // Both idle past the receiver's limit: it closed them; the pool opens a fresh one. (Waited
    // for as the close arriving, not as a time: a loaded machine may not have run the receiver's
    // idle timer, or not yet read the close, when a fixed pause ends.)
    await closedByPeer(b.conn, c.conn);
    const d = await pool.acquire('127.0.0.1', r.port);
    t.false(d.reused);
    t.is(pool.opened, 3);
    await d.conn.send(src, ids, ids.map((i) => 63 - i));
    t.true(Buffer.from(await dst.gather(ids.map((i) => 63 - i))).equals(data));
    pool.release(d.conn);
    // The receiver dies: its idle connection is never handed out again, and connecting fails, named.
    await r.close();
    closed = true;
    await closedByPeer(d.conn);
    await t.throwsAsync(pool.acquire('127.0.0.1', r.port), { instanceOf: TransferError, message: /ECONNREFUSED/ });
    t.is(pool.opened, 4, 'the dead idle connection was dropped, a new one tried');
  } finally {
    pool.close();
    if (!closed) await r.close();
  }
});

test('pool options are checked', (t) => {
  t.throws(() => new KvConnectionPool({ idleCloseMs: 0 }), { message: /idleCloseMs must be a positive integer, got 0/ });
  t.throws(() => new KvConnectionPool({ maxIdlePerPeer: -1 }), { message: /maxIdlePerPeer must be a non-negative integer, got -1/ });
});
