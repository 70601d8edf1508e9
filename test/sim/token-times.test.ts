import { DDSketch } from '@datadog/sketches-js';
import test from 'ava';
import { ITL_RELATIVE_ACCURACY, TokenGaps } from '../../metrics/index.ts';
import { SimRequest } from '../../sim/instance/index.ts';

test('SimRequest token times: undefined until the first token, then first and last as marked; settable as before', (t) => {
  const r = new SimRequest({ id: 3, arrival_s: 0.25, priority: 'normal', prompt_tokens: 8, output_tokens: 4 });
  t.is(r.first_token_s, undefined);
  t.is(r.last_token_s, undefined);
  t.true(Number.isNaN(r.markToken(1.5)), 'no gap before the first token');
  t.is(r.markToken(1.75), 1.75 - 1.5, 'the gap since the previous token');
  t.is(r.first_token_s, 1.5);
  t.is(r.last_token_s, 1.75);
  r.first_token_s = undefined; // a restart forgets its tokens
  const first = (): number | undefined => r.first_token_s;
  t.is(first(), undefined);
  r.markToken(2);
  t.is(first(), 2);
  t.is(r.last_token_s, 2);
});

test('TokenGaps feeds runs of equal gaps as one weighted value: every percentile equals one accept per gap', (t) => {
  let x = 7;
  const next = (): number => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const gaps = new TokenGaps();
  const plain = new DDSketch({ relativeAccuracy: ITL_RELATIVE_ACCURACY });
  let fed = 0;
  // Runs of repeated gaps (a decode batch), lone gaps, zeros and a run at the very end.
  for (let run = 0; run < 3_000; run++) {
    const value = next() < 0.05 ? 0 : 1 + next() ** 2 * 200;
    const length = 1 + Math.floor(next() * 12);
    for (let i = 0; i < length; i++) {
      gaps.add(value);
      plain.accept(value);
      fed++;
    }
    // Percentiles asked mid-run must not lose or double the run in progress.
    if (run % 500 === 0) t.is(gaps.quantile(0.5), plain.getValueAtQuantile(0.5));
  }
  t.is(gaps.count, fed);
  for (const q of [0, 0.01, 0.25, 0.5, 0.9, 0.99, 0.999, 1]) t.is(gaps.quantile(q), plain.getValueAtQuantile(q), `q${q}`);
});

test('TokenGaps.merge pools two runs: the same percentiles as one sketch fed every gap, mean and std exact', (t) => {
  const a = new TokenGaps();
  const b = new TokenGaps();
  const all = new TokenGaps();
  const values: number[] = [];
  for (let i = 0; i < 2_000; i++) {
    // Runs of equal gaps on both sides, one still open when the merge happens.
    const v = 1 + ((i * 37) % 101) / 7;
    const side = i % 3 === 0 ? b : a;
    side.add(v);
    side.add(v);
    all.add(v);
    all.add(v);
    values.push(v, v);
  }
  a.merge(b);
  t.is(a.count, values.length);
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
  t.true(Math.abs(a.mean - mean) < 1e-9, `mean ${a.mean} against ${mean}`);
  t.true(Math.abs(a.std - std) < 1e-9, `std ${a.std} against ${std}`);
  for (const q of [0, 0.1, 0.5, 0.9, 0.99, 1]) t.is(a.quantile(q), all.quantile(q), `q${q}`);
  // Merging an empty one changes nothing; adding after a merge still counts once.
  a.merge(new TokenGaps());
  t.is(a.count, values.length);
  a.add(1000);
  t.is(a.count, values.length + 1);
  t.true(Math.abs(a.quantile(1) - 1000) <= 1000 * ITL_RELATIVE_ACCURACY * 1.01, `max ${a.quantile(1)}`);
});
