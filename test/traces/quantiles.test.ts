import test from 'ava';
import { QUANTILE_PRESETS, describeLengths, describeValues, generateWorkload, knotsMean, sampleQuantiles } from '../../traces/index.ts';
import { stream, streams } from './helpers.ts';

// Llumnix Table 1 (llumnix.md §8.2): mean, P50, P80, P95, P99.
const TABLE = {
  sharegpt: { prompt: [306, 74, 348, 1484, 3388], output: [500, 487, 781, 988, 1234] },
  burstgpt: { prompt: [603, 474, 1025, 1790, 2613], output: [271, 165, 440, 932, 1284] },
} as const;

for (const dataset of ['sharegpt', 'burstgpt'] as const) {
  test(`${dataset}-like presets match Llumnix Table 1 (mean ±2 %, P50–P95 ±3 %, P99 ±8 %)`, (t) => {
    const reqs = generateWorkload(
      {
        num_requests: 100_000,
        arrival: { kind: 'burst' },
        lengths: {
          prompt: { kind: 'quantile_preset', name: `${dataset}_prompt` },
          output: { kind: 'quantile_preset', name: `${dataset}_output` },
        },
      },
      streams(`preset-${dataset}`),
    );
    const stats = describeLengths(reqs);
    for (const slot of ['prompt', 'output'] as const) {
      const [m, p50, p80, p95, p99] = TABLE[dataset][slot];
      const d = stats[slot];
      const pairs: [string, number, number, number][] = [
        ['mean', d.mean, m, 0.02],
        ['P50', d.p50, p50, 0.03],
        ['P80', d.p80, p80, 0.03],
        ['P95', d.p95, p95, 0.03],
        // Above P99 the inverse CDF is steep (up to 6144 within 1 %), so the estimate is noisy.
        ['P99', d.p99, p99, 0.08],
      ];
      for (const [what, got, want, rel] of pairs) {
        t.true(Math.abs(got - want) <= rel * want, `${dataset} ${slot} ${what}: got ${got}, table ${want}`);
      }
      t.true(d.min >= 1 && reqs.every((r) => Number.isInteger(r[`${slot}_tokens`])));
    }
  });
}

test('analytic preset means are within 1 % of the table', (t) => {
  for (const [name, p] of Object.entries(QUANTILE_PRESETS)) {
    const m = knotsMean(p.knots, p.interpolation);
    t.true(Math.abs(m - p.table_mean_tokens) <= 0.01 * p.table_mean_tokens, `${name}: ${m}`);
  }
});

test('linear knots give a piecewise-uniform distribution with the expected quantiles', (t) => {
  const knots = [
    [0, 10],
    [0.5, 20],
    [1, 120],
  ] as const;
  const v = sampleQuantiles(knots, 'linear', 40_000, stream('lin'));
  const d = describeValues(v);
  t.true(Math.abs(d.p50 - 20) <= 1);
  t.true(Math.abs(d.p80 - 80) <= 2);
  t.true(Math.abs(d.mean - knotsMean(knots, 'linear')) < 1);
  t.is(knotsMean(knots, 'linear'), 0.5 * 15 + 0.5 * 70);
  t.true(d.min >= 10 && d.max <= 120);
});

test('log interpolation is geometric between knots', (t) => {
  const v = sampleQuantiles(
    [
      [0, 10],
      [1, 1000],
    ],
    'log',
    20_000,
    stream('log'),
  );
  t.true(Math.abs(describeValues(v).p50 - 100) <= 4);
});

test('describeValues uses numpy linear percentiles', (t) => {
  const d = describeValues([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  t.is(d.p99, 9.91);
  t.is(d.p50, 5.5);
  t.is(d.mean, 5.5);
  t.like(d, { min: 1, max: 10, count: 10 });
});
