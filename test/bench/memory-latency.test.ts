import test from 'ava';
import { chaseCycle, chaseLatency } from '../../bench/memory-latency.ts';

test('the chase is one cycle through every cache line, one slot per line', (t) => {
  for (const lines of [2, 3, 17, 1000]) {
    const slots = chaseCycle(lines);
    const seen = new Set<number>();
    let at = 0;
    for (let k = 0; k < lines; k++) {
      t.is(at % 16, 0, 'each step lands on the first slot of a line');
      seen.add(at / 16);
      at = slots[at] as number;
    }
    t.is(at, 0, `back at the start after ${lines} loads`);
    t.is(seen.size, lines, 'every line visited once');
  }
});

test('the chase is the same on every run and its latency is a positive number', (t) => {
  t.deepEqual(chaseCycle(64), chaseCycle(64));
  const point = chaseLatency(64 * 1024, 10_000);
  t.is(point.bytes, 64 * 1024);
  t.true(point.ns > 0 && Number.isFinite(point.ns));
});
