import test from 'ava';
import { rankPolicies, RANKED, type PolicyResult } from '../../fidelity/ranking.ts';
import { compare } from '../../fidelity/report.ts';

/** A policy whose every real value is `real` and every simulated value `sim` (seconds). */
function policy(name: string, real: number, sim: number): PolicyResult {
  return { policy: name, metrics: ['TTFT', 'TPOT', 'E2E'].map((m) => compare(m, [real, real], [sim, sim])) };
}

test('the same order in both worlds is a match, best first', (t) => {
  const ranking = rankPolicies([policy('a', 3, 30), policy('b', 1, 10), policy('c', 2, 20)]);
  t.is(ranking.length, RANKED.length);
  for (const r of ranking) {
    t.deepEqual(r.real, ['b', 'c', 'a']);
    t.deepEqual(r.sim, ['b', 'c', 'a']);
    t.true(r.same);
    t.is(r.real_min_gap, 0.5, '(3 − 2) / 2');
  }
});

test('a swapped pair is a mismatch', (t) => {
  const ranking = rankPolicies([policy('a', 1, 20), policy('b', 2, 10)]);
  for (const r of ranking) t.false(r.same);
});

test('a simulated tie of policies that differ for real is a mismatch; a tie in both is a match', (t) => {
  t.false(rankPolicies([policy('a', 1, 5), policy('b', 2, 5)])[0]!.same);
  t.true(rankPolicies([policy('a', 2, 5), policy('b', 2, 5)])[0]!.same);
});

/** A policy replayed once per value in `reals` (every metric and statistic at that value), simulated at `sim`. */
function replayed(name: string, reals: readonly number[], sim: number): PolicyResult {
  const stats = (x: number) => ({ mean: x, p50: x, p90: x, p99: x });
  return {
    policy: name,
    metrics: ['TTFT', 'TPOT', 'E2E'].map((m) => compare(m, [reals[0]!, reals[0]!], [sim, sim])),
    real_runs: reals.map((x) => ({ TTFT: stats(x), TPOT: stats(x), E2E: stats(x) })),
  };
}

test('one replay per policy: the noise is not measured and no ranking claim is made', (t) => {
  for (const r of rankPolicies([policy('a', 1, 10), policy('b', 2, 20)])) {
    t.is(r.real_runs, 1);
    t.true(Number.isNaN(r.noise));
    t.is(r.verdict, 'unmeasured');
    t.deepEqual(r.pairs.map((p) => [p.better, p.worse, p.resolved]), [['a', 'b', undefined]]);
  }
});

test('a real gap larger than the run-to-run noise is resolved; the simulator must order it alike', (t) => {
  // a: 1.0 and 1.1 (noise 10 %); b: 2.0 and 2.0; c: 1.1 and 1.0 — a and c differ by less than the noise.
  const agree = rankPolicies([replayed('a', [1, 1.1], 10), replayed('b', [2, 2], 30), replayed('c', [1.1, 1], 11)])[0]!;
  t.is(agree.real_runs, 2);
  t.true(Math.abs(agree.noise - 0.1) < 1e-12, String(agree.noise));
  const pair = (r: typeof agree, x: string, y: string) => r.pairs.find((p) => (p.better === x && p.worse === y) || (p.better === y && p.worse === x))!;
  t.false(pair(agree, 'a', 'c').resolved, 'a tie within the noise');
  t.true(pair(agree, 'a', 'b').resolved);
  t.true(pair(agree, 'c', 'b').resolved);
  t.is(pair(agree, 'a', 'b').real_gap, (2 - 1.05) / 1.05, 'gaps between the means over the replays');
  t.is(agree.verdict, 'same');
  // The simulator swaps the unresolved pair: still a match for what the real runs can tell.
  const swappedTie = rankPolicies([replayed('a', [1, 1.1], 12), replayed('b', [2, 2], 30), replayed('c', [1.1, 1], 11)])[0]!;
  t.false(swappedTie.same, 'the full order differs');
  t.is(swappedTie.verdict, 'same', 'but only where the noise hides it');
  // The simulator ties a resolved pair: a mismatch.
  t.is(rankPolicies([replayed('a', [1, 1.1], 10), replayed('b', [2, 2], 10)])[0]!.verdict, 'differs');
});

test('policies that differ by less than the noise leave the ranking unresolved', (t) => {
  const r = rankPolicies([replayed('a', [1, 1.3], 10), replayed('b', [1.2, 1.2], 20)])[0]!;
  t.is(r.verdict, 'unresolved');
  t.false(r.pairs[0]!.resolved);
});

test('policies replayed a different number of times are refused', (t) => {
  t.throws(() => rankPolicies([replayed('a', [1, 1.1], 10), replayed('b', [2], 20)]), { message: /different number of times \(2, 1\)/ });
});
