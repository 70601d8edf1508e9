import test from 'ava';
import { ArrivalConfigSchema, generateArrivals, sampleGamma } from '../../traces/index.ts';
import { cv, gaps, mean, stream } from './helpers.ts';

const noTraces = () => {
  throw new Error('no trace expected');
};

function arrivals(input: unknown, n: number, seed: string): number[] {
  return generateArrivals(ArrivalConfigSchema.parse(input), n, stream(seed), noTraces);
}

test('every process starts at t = 0 and never goes back in time', (t) => {
  for (const cfg of [
    { kind: 'poisson', rate_per_s: 3 },
    { kind: 'gamma', rate_per_s: 3, cv: 4 },
    { kind: 'uniform', rate_per_s: 3 },
    { kind: 'burst' },
  ]) {
    const times = arrivals(cfg, 1000, 'mono');
    t.is(times[0], 0);
    t.true(gaps(times).every((g) => g >= 0), cfg.kind);
  }
});

test('poisson: mean rate and CV 1', (t) => {
  const g = gaps(arrivals({ kind: 'poisson', rate_per_s: 5 }, 50_001, 'poisson'));
  t.true(Math.abs(1 / mean(g) - 5) < 0.1, `rate ${1 / mean(g)}`);
  t.true(Math.abs(cv(g) - 1) < 0.03, `cv ${cv(g)}`);
});

for (const target of [0.5, 2, 4]) {
  test(`gamma: mean rate and CV ${target}`, (t) => {
    // CV 4 means shape 1/16: heavy skew, so the sample CV converges slowly; allow 10 %.
    const g = gaps(arrivals({ kind: 'gamma', rate_per_s: 2, cv: target }, 200_001, `gamma${target}`));
    t.true(Math.abs(1 / mean(g) - 2) / 2 < 0.05, `rate ${1 / mean(g)}`);
    t.true(Math.abs(cv(g) - target) / target < 0.1, `cv ${cv(g)}`);
  });
}

test('gamma burstiness k is the same process as cv = 1/sqrt(k)', (t) => {
  const a = arrivals({ kind: 'gamma', rate_per_s: 2, burstiness: 0.25 }, 1000, 'same');
  const b = arrivals({ kind: 'gamma', rate_per_s: 2, cv: 2 }, 1000, 'same');
  t.deepEqual(a, b);
});

test('gamma sampler: mean and variance equal the shape, for shapes below and above 1', (t) => {
  for (const shape of [0.0625, 0.3, 1, 2.5, 9]) {
    const rng = stream(`g${shape}`);
    const xs = Array.from({ length: 100_000 }, () => sampleGamma(rng, shape));
    const m = mean(xs);
    const v = xs.reduce((a, x) => a + (x - m) ** 2, 0) / xs.length;
    t.true(Math.abs(m - shape) / shape < 0.04, `shape ${shape}: mean ${m}`);
    t.true(Math.abs(v - shape) / shape < 0.12, `shape ${shape}: variance ${v}`);
    t.true(xs.every((x) => x >= 0 && Number.isFinite(x)));
  }
});

test('uniform: constant gaps of 1/rate; burst: all at 0', (t) => {
  const u = arrivals({ kind: 'uniform', rate_per_s: 4 }, 5, 'u');
  t.deepEqual(u, [0, 0.25, 0.5, 0.75, 1]);
  t.deepEqual(arrivals({ kind: 'burst' }, 3, 'b'), [0, 0, 0]);
});
