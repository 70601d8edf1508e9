// The isotonic fit that makes measured step tables monotone (backend/profile/isotonic.ts).
import test from 'ava';
import { isotonic } from '../../backend/profile/isotonic.ts';

test('a non-decreasing sequence is left as it is', (t) => {
  t.deepEqual(isotonic([1, 2, 2, 5], [1, 1, 1, 1]), [1, 2, 2, 5]);
});

test('violators are pooled into their weighted mean, repeatedly backwards', (t) => {
  t.deepEqual(isotonic([3, 1], [1, 1]), [2, 2]);
  t.deepEqual(isotonic([3, 1], [1, 3]), [1.5, 1.5]);
  // 4 then 3 pool to 3.5; then 1 pools with that block back to (4 + 3 + 1) / 3.
  t.deepEqual(isotonic([0, 4, 3, 1, 6], [1, 1, 1, 1, 1]), [0, 8 / 3, 8 / 3, 8 / 3, 6]);
});

test('the fit keeps the weighted total (a simulated run still sums to the measured time)', (t) => {
  const values = [5, 1, 1.2, 0.9, 2];
  const weights = [5, 95, 100, 10, 7];
  const fit = isotonic(values, weights);
  const total = (xs: number[]) => xs.reduce((a, x, i) => a + x * weights[i]!, 0);
  t.true(Math.abs(total(fit) - total(values)) < 1e-9);
  t.true(fit.every((x, i) => i === 0 || x >= fit[i - 1]!));
});

test('mismatched lengths, non-positive weights and non-finite values are refused, naming the entry', (t) => {
  t.throws(() => isotonic([1, 2], [1]), { message: /2 values but 1 weights/ });
  t.throws(() => isotonic([1, 2], [1, 0]), { message: /values\[1\] = 2 with weight 0/ });
  t.throws(() => isotonic([Number.NaN], [1]), { message: /values\[0\] = NaN/ });
});
