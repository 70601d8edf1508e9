// The fidelity trace's arrival options: Gamma burstiness and the long/short pattern.
import test from 'ava';
import { syntheticTrace } from '../../fidelity/workload.ts';

const base = { requests: 2000, rate_per_s: 10, prompt_tokens: [8, 64] as const, output_tokens: [4, 16] as const, seed: 3 };

function gapCv(rows: readonly { arrival_s: number }[]): { mean: number; cv: number } {
  const gaps = rows.slice(1).map((r, i) => r.arrival_s - rows[i]!.arrival_s);
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length);
  return { mean, cv: sd / mean };
}

test('burstiness 1 is the Poisson trace exactly; below 1 the gaps vary more at the same mean rate', (t) => {
  t.deepEqual(syntheticTrace({ ...base, burstiness: 1 }), syntheticTrace(base));
  const poisson = gapCv(syntheticTrace(base));
  const bursty = gapCv(syntheticTrace({ ...base, burstiness: 0.25 }));
  // Gamma(k) gaps have CV 1/√k: 1 for Poisson, 2 at k = 0.25 (2000 draws: within 25 %).
  t.true(Math.abs(poisson.cv - 1) < 0.25, String(poisson.cv));
  t.true(Math.abs(bursty.cv - 2) < 0.5, String(bursty.cv));
  for (const g of [poisson, bursty]) t.true(Math.abs(g.mean - 0.1) < 0.025, `mean gap ${g.mean} s at 10 req/s`);
});

test('a bad burstiness or long.every is refused, naming the field and the value', (t) => {
  t.throws(() => syntheticTrace({ ...base, burstiness: 0 }), { message: /burstiness must be a finite number > 0.*received 0/ });
  t.throws(() => syntheticTrace({ ...base, long: { every: 1.5, prompt_tokens: [1, 2], output_tokens: [1, 2] } }), { message: /long\.every must be an integer >= 1.*received 1\.5/ });
});
