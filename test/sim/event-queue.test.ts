import test from 'ava';
import { Band, EventQueue, eventBefore, type QueuedEvent } from '../../sim/kernel/index.ts';

/** A small deterministic generator (the test must not depend on Math.random). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const bands = Object.values(Band);

test('the queue hands events out exactly in eventBefore order, pushes and pops interleaved', (t) => {
  for (const seed of [1, 2, 3, 4]) {
    const random = lcg(seed);
    const queue = new EventQueue();
    const reference: QueuedEvent[] = [];
    let seq = 0;
    let now = 0;
    const popped: number[] = [];
    const expected: number[] = [];
    for (let i = 0; i < 5000; i++) {
      if (random() < 0.55 || reference.length === 0) {
        // Few distinct times, so ties on time (and on band) are common.
        const event: QueuedEvent = { time_s: now + Math.floor(random() * 8) * 0.25, band: bands[Math.floor(random() * bands.length)] as Band, seq: seq++, run: () => {} };
        queue.push(event);
        reference.push(event);
      } else {
        reference.sort((a, b) => (eventBefore(a, b) ? -1 : eventBefore(b, a) ? 1 : 0));
        const next = reference.shift() as QueuedEvent;
        expected.push(next.seq);
        t.is(queue.peek(), next);
        const got = queue.pop() as QueuedEvent;
        popped.push(got.seq);
        now = got.time_s;
      }
      t.is(queue.size, reference.length);
    }
    t.deepEqual(popped, expected);
  }
});

test('an event pushed ahead of everything queued (the front slot) keeps the order, also when a still earlier one displaces it', (t) => {
  for (const seed of [5, 6, 7]) {
    const random = lcg(seed);
    const queue = new EventQueue();
    const reference: QueuedEvent[] = [];
    let seq = 0;
    let now = 0;
    let fronts = 0;
    for (let i = 0; i < 5000; i++) {
      if (random() < 0.6 || reference.length === 0) {
        // Mostly at the current time (a step start queued by a step end), in any band.
        const later = random() < 0.3 ? Math.floor(random() * 4) * 0.25 : 0;
        const event: QueuedEvent = { time_s: now + later, band: bands[Math.floor(random() * bands.length)] as Band, seq: seq++, run: () => {} };
        if (reference.every((e) => eventBefore(event, e))) fronts++;
        queue.push(event);
        reference.push(event);
      } else {
        reference.sort((a, b) => (eventBefore(a, b) ? -1 : eventBefore(b, a) ? 1 : 0));
        const next = reference.shift() as QueuedEvent;
        t.is(queue.peek(), next);
        t.is(queue.pop(), next);
        now = next.time_s;
      }
      t.is(queue.size, reference.length);
    }
    // The case under test happened often (else this test would not exercise the front slot).
    t.true(fronts > 500, `${fronts} pushes ahead of everything`);
  }
});

test('an empty queue peeks and pops undefined', (t) => {
  const queue = new EventQueue();
  t.is(queue.peek(), undefined);
  t.is(queue.pop(), undefined);
  queue.push({ time_s: 1, band: Band.control, seq: 0, run: () => {} });
  t.is(queue.pop()?.seq, 0);
  t.is(queue.pop(), undefined);
  t.is(queue.size, 0);
});
