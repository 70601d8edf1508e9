// AsyncQueue (backend/engine/async-queue.ts), the hand-written iterator every token passes
// through: items in order whether pushed before or while the consumer waits, the end after the
// last item, a close error after the items that came before it, and nothing kept once the
// consumer stops.
import test from 'ava';
import { AsyncQueue } from '../../backend/engine/async-queue.ts';

const drain = async <T>(q: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const x of q) out.push(x);
  return out;
};

test('items pushed before and while the consumer waits come in order; close ends the stream', async (t) => {
  const q = new AsyncQueue<number>();
  q.push(1);
  q.push(2);
  const all = drain(q);
  await new Promise((r) => setImmediate(r));
  q.push(3);
  q.push(4);
  await Promise.resolve();
  q.push(5);
  q.close();
  q.push(6);
  t.deepEqual(await all, [1, 2, 3, 4, 5]);
  t.true(q.closed);
});

test('a close error comes after the items pushed before it, once', async (t) => {
  const q = new AsyncQueue<number>();
  q.push(1);
  q.close(new Error('boom'));
  const seen: number[] = [];
  await t.throwsAsync(async () => {
    for await (const x of q) seen.push(x);
  }, { message: 'boom' });
  t.deepEqual(seen, [1]);
  t.deepEqual(await q.next(), { value: undefined, done: true });
});

test('a waiting consumer gets the close error', async (t) => {
  const q = new AsyncQueue<number>();
  const next = q.next();
  q.close(new Error('gone'));
  await t.throwsAsync(next, { message: 'gone' });
});

test('a consumer that breaks ends the queue: later items are dropped', async (t) => {
  const q = new AsyncQueue<number>();
  q.push(1);
  q.push(2);
  for await (const x of q) {
    t.is(x, 1);
    break;
  }
  q.push(3);
  t.deepEqual(await q.next(), { value: undefined, done: true });
});
