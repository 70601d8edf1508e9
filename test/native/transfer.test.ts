import test from 'ava';
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KvBlockPool, listenForBlocks, sendBlocks, TransferError } from '../../backend/native/index.ts';

const peer = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'kv-peer.ts');
const spec = { numLayers: 2, numBlocks: 64, blockSize: 16, numKvHeads: 4, headDim: 32, dtype: 'f16' as const };
const ids = Array.from({ length: 40 }, (_, i) => i);
const pattern = (pool: KvBlockPool, n: number) => {
  const b = Buffer.alloc(pool.stagingBytes(n));
  for (let i = 0; i < b.length; i++) b[i] = (i * 31 + 7) & 0xff;
  return b;
};
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function spawnPeer(...args: string[]): ChildProcess {
  return fork(peer, args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}
function nextMessage<T>(child: ChildProcess, kind: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const on = (m: { kind: string }) => { if (m.kind === kind) { child.off('message', on); resolve(m as T); } };
    child.on('message', on);
    child.once('exit', (code) => reject(new Error(`peer exited (${code}) before sending ${kind}`)));
  });
}

test('in-process loopback transfer is byte-identical', async (t) => {
  const src = new KvBlockPool(spec);
  const dst = new KvBlockPool(spec);
  const data = pattern(src, 40);
  await src.scatter(ids, data);
  const r = await listenForBlocks(dst);
  try {
    const res = await sendBlocks(src, ids, ids.map((i) => 63 - i), { port: r.port, blocksPerMessage: 9, window: 3 });
    t.is(res.messages, 5);
    t.true(Buffer.from(await dst.gather(ids.map((i) => 63 - i))).equals(data));
  } finally {
    await r.close();
  }
});

test('recycled message buffers never mix messages (windows 1, 2 and 4; uneven last message)', async (t) => {
  const src = new KvBlockPool(spec);
  const dst = new KvBlockPool(spec);
  const data = Buffer.alloc(src.stagingBytes(40));
  for (let i = 0; i < data.length; i++) data[i] = (i * 13 + (i >> 10)) & 0xff; // differs per block
  await src.scatter(ids, data);
  const r = await listenForBlocks(dst);
  try {
    for (const [window, per] of [[1, 3], [2, 7], [4, 1]] as const) {
      const dstIds = ids.map((i) => (i * 7 + window) % 64);
      const res = await sendBlocks(src, ids, dstIds, { port: r.port, blocksPerMessage: per, window });
      t.is(res.messages, Math.ceil(40 / per));
      t.true(Buffer.from(await dst.gather(dstIds)).equals(data), `window ${window}, ${per} blocks/message`);
    }
  } finally {
    await r.close();
  }
});

test('corrupted body: checksum mismatch is reported and no block of that message is written', async (t) => {
  const dst = new KvBlockPool(spec);
  const before = Buffer.from(await dst.gather(ids));
  const errors: TransferError[] = [];
  const r = await listenForBlocks(dst, { onError: (e) => errors.push(e) });
  try {
    const { encodeHeader, bodyCrc, MsgType } = await import('../../backend/native/wire.ts');
    const net = await import('node:net');
    const idBuf = Buffer.alloc(ids.length * 4);
    ids.forEach((v, i) => idBuf.writeInt32LE(v, i * 4));
    const payload = pattern(dst, ids.length);
    const crc = bodyCrc([idBuf, payload]);
    payload[12345] = payload[12345]! ^ 0x40; // flipped in transit
    const s = net.connect({ host: '127.0.0.1', port: r.port });
    await once(s, 'connect');
    s.write(encodeHeader({ type: MsgType.Blocks, seq: 0, count: ids.length, bodyBytes: idBuf.length + payload.length, bodyCrc: crc }));
    s.write(idBuf);
    s.write(payload);
    while (errors.length === 0) await new Promise((res) => setTimeout(res, 10));
    t.regex(errors[0]!.message, /checksum mismatch.*no blocks of it were written/);
    t.true(Buffer.from(await dst.gather(ids)).equals(before));
    s.destroy();
  } finally {
    await r.close();
  }
});

test('transfer to a receiver in a child process', async (t) => {
  const child = spawnPeer('receive');
  try {
    const { port } = await nextMessage<{ port: number }>(child, 'port');
    const src = new KvBlockPool(spec);
    const data = pattern(src, 40);
    await src.scatter(ids, data);
    const states: string[] = [];
    child.on('message', (m: { kind: string; sha?: string }) => { if (m.kind === 'state') states.push(m.sha!); });
    await sendBlocks(src, ids, ids, { port, blocksPerMessage: 40 });
    while (states.length === 0) await new Promise((r) => setTimeout(r, 10));
    t.is(states.at(-1), sha(data));
  } finally {
    child.kill('SIGKILL');
  }
});

test('sender killed mid-message: receiver reports it and leaves its blocks untouched', async (t) => {
  const dst = new KvBlockPool(spec);
  const before = Buffer.from(await dst.gather(ids));
  const errors: TransferError[] = [];
  const r = await listenForBlocks(dst, { onError: (e) => errors.push(e) });
  try {
    const child = spawnPeer('send', String(r.port), 'die');
    await once(child, 'exit');
    while (errors.length === 0) await new Promise((res) => setTimeout(res, 10));
    t.true(errors[0] instanceof TransferError);
    t.regex(errors[0]!.message, /disconnected in the middle of a message.*no blocks were written/);
    t.true(Buffer.from(await dst.gather(ids)).equals(before));
  } finally {
    await r.close();
  }
});

test('receiver killed mid-transfer: sender rejects with TransferError naming how far it got', async (t) => {
  const child = spawnPeer('receive');
  const { port } = await nextMessage<{ port: number }>(child, 'port');
  const src = new KvBlockPool({ ...spec, numBlocks: 64 });
  await src.scatter(ids, pattern(src, 40));
  // 4000 one-block messages, one in flight at a time: the receiver reports (over IPC) each
  // message it has scattered; the first report kills it, so the transfer is certainly running
  // and certainly unfinished when the peer dies (no timer decides).
  const many = Array.from({ length: 4000 }, (_, i) => i % 40);
  const firstReport = nextMessage<{ sha: string }>(child, 'state').then(() => child.kill('SIGKILL'));
  const err = await t.throwsAsync(sendBlocks(src, many, many, { port, blocksPerMessage: 1, window: 1 }), { instanceOf: TransferError });
  await firstReport;
  const m = /(?:receiver closed the connection|failed) after (\d+)\/4000 messages acknowledged(?:: (?:read|write) (?:ECONNRESET|EPIPE))?$/.exec(err!.message);
  t.truthy(m, err!.message);
  const acked = Number(m?.[1]);
  t.true(acked >= 0 && acked < 4000, `${acked} acknowledged`);
});

test('corrupted stream is rejected by checksum', async (t) => {
  const dst = new KvBlockPool(spec);
  const errors: TransferError[] = [];
  const r = await listenForBlocks(dst, { onError: (e) => errors.push(e) });
  try {
    const net = await import('node:net');
    const s = net.connect({ host: '127.0.0.1', port: r.port });
    await once(s, 'connect');
    s.write(Buffer.alloc(32, 0xab));
    while (errors.length === 0) await new Promise((res) => setTimeout(res, 10));
    t.regex(errors[0]!.message, /bad magic/);
    s.destroy();
  } finally {
    await r.close();
  }
});
