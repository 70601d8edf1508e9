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
