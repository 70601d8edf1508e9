import test from 'ava';
import { GridTable, sumCurves } from '../../sim/index.ts';

test('GridTable interpolates a triangular grid multilinearly, extends edge segments, and at2 equals at', (t) => {
  // f(c, k) = 2c + 3k + 1 measured only where c + k <= 4 (a triangular grid, as Vidur's prefill rows).
  const rows = [];
  for (const c of [0, 1, 2, 4]) for (const k of [0, 1, 2, 4]) if (c + k <= 4) rows.push({ keys: [c, k], y: 2 * c + 3 * k + 1 });
  const g = GridTable.build(rows, 'tri');
  t.is(g.at([1.5, 0.5]), 2 * 1.5 + 3 * 0.5 + 1);
  t.is(g.at2(1.5, 0.5), g.at([1.5, 0.5]));
  // Row c = 4 holds one point (k = 0): a constant along k. Row c = 2 extends its last segment past k = 2.
  t.is(g.at([4, 3]), 9);
  t.is(g.at([2, 3]), 2 * 2 + 3 * 3 + 1);
  // Beyond the last key the last segment extends: c = 5 from rows 2 and 4 at k = 0.
  t.is(g.at([5, 0]), 11);
  // Repeated measurements of one point are averaged.
  t.is(GridTable.build([{ keys: [1], y: 2 }, { keys: [1], y: 4 }, { keys: [3], y: 6 }], 'dup').at([2]), 4.5);
});

test('sumCurves is exact on the union of breakpoints', (t) => {
  const a = [{ x: 0, y: 0 }, { x: 10, y: 10 }];
  const b = [{ x: 0, y: 5 }, { x: 4, y: 1 }, { x: 8, y: 1 }];
  const s = sumCurves([{ curve: a, weight: 2 }, { curve: b, weight: 1 }]);
  t.deepEqual(s.map((p) => p.x), [0, 4, 8, 10]);
  t.deepEqual(s.map((p) => p.y), [5, 9, 17, 21]);
});
