import test from 'ava';
import path from 'node:path';
import { DramCache, loadCheckpoint, writeCheckpoint } from '../../backend/native/index.ts';
import { randomBytes, tempDir } from './helpers.ts';

const fill = (v: number) => async (b: Buffer) => { b.fill(v); };

test('LRU: the least recently used unpinned entry goes first', async (t) => {
  const c = new DramCache(300);
  for (const k of ['a', 'b', 'c']) (await c.acquire(k, 100, fill(1))).release();
  (await c.acquire('a', 100, fill(9))).release(); // touch a: b is now the oldest
  (await c.acquire('d', 100, fill(4))).release();
  t.true(c.has('a'));
  t.false(c.has('b'));
  t.true(c.has('c') && c.has('d'));
  t.is(c.stats().evictions, 1);
  t.is(c.stats().hits, 1);
});

test('eviction never frees a pinned or loading entry', async (t) => {
  const c = new DramCache(200);
  const a = await c.acquire('a', 100, fill(1)); // pinned
  let finish!: () => void;
  const loading = c.acquire('b', 100, (buf) => new Promise<void>((r) => { finish = () => { buf.fill(2); r(); }; }));
  await new Promise((r) => setImmediate(r));
  const over = await c.acquire('c', 100, fill(3)); // no room: loaded uncached
  t.false(over.cached);
  t.true(c.has('a'));
  t.false(c.evict('a'));
  finish();
  const b = await loading;
  t.is(b.buffer[0], 2);
  a.release();
  b.release();
  (await c.acquire('c', 100, fill(3))).release();
  t.false(c.has('a'), 'a was the LRU unpinned entry');
  t.true(c.has('b') && c.has('c'));
  t.true(a.buffer.every((x) => x === 1), 'an evicted buffer stays valid for holders');
});

test('concurrent acquires share one fill; a failed fill is not cached', async (t) => {
  const c = new DramCache(1000);
  let fills = 0;
  const f = async (b: Buffer) => { fills++; await new Promise((r) => setTimeout(r, 20)); b.fill(5); };
  const [x, y] = await Promise.all([c.acquire('k', 10, f), c.acquire('k', 10, f)]);
  t.is(fills, 1);
  t.is(x.buffer, y.buffer);
  await t.throwsAsync(c.acquire('bad', 10, async () => { throw new Error('disk on fire'); }), { message: 'disk on fire' });
  t.false(c.has('bad'));
});

test('second load of a checkpoint is served from DRAM', async (t) => {
  const { dir, cleanup } = await tempDir();
  try {
    const data = randomBytes(1 << 20);
    const ck = path.join(dir, 'ck');
    await writeCheckpoint(ck, [{ name: 'w', dtype: 'u8', shape: [data.length], data }]);
    const cache = new DramCache(8 << 20);
    const first = await loadCheckpoint(ck, { cache });
    t.is(first.source, 'disk');
    first.release();
    const second = await loadCheckpoint(ck, { cache });
    t.is(second.source, 'dram');
    const w = second.tensors.get('w')!;
    t.true(second.host!.subarray(w.offset, w.offset + w.size).equals(data));
    t.is(cache.stats().entries[0]!.pins, 1);
    second.release();
    second.release();
    t.is(cache.stats().entries[0]!.pins, 0);
    // Rewriting the checkpoint changes the key: no stale bytes.
    const data2 = randomBytes(1 << 20);
    await writeCheckpoint(ck, [{ name: 'w', dtype: 'u8', shape: [data2.length], data: data2 }], { overwrite: true });
    const third = await loadCheckpoint(ck, { cache });
    t.is(third.source, 'disk');
    t.true(third.host!.subarray(w.offset, w.offset + w.size).equals(data2));
  } finally {
    await cleanup();
  }
});
