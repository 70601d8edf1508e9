import test from 'ava';
import { HOLDS_FACTOR, judge, toRecord } from '../../artifact/verdict.ts';

const evidence = (ours: number | undefined, paper: number, unit: 'x' | '%' | 'ms' = 'x') => judge({ ours, paper: { value: paper }, unit, class: 'evidence' }).verdict;

test('holds exactly inside [paper / 2, paper × 2], partly just outside (kills widening the band)', (t) => {
  // Mutation: HOLDS_FACTOR 2 → 2.5 or ×4 widening (the old rangeVerdict's 1.25 → 5) makes 2.1× and 0.45× "hold".
  t.is(HOLDS_FACTOR, 2);
  t.is(evidence(20, 10), 'holds');
  t.is(evidence(5, 10), 'holds');
  t.is(evidence(20.2, 10), 'partly');
  t.is(evidence(4.9, 10), 'partly');
  t.is(evidence(40, 10), 'partly');
  t.is(evidence(1.54, 14.8), 'partly');
  // Mutation: narrowing (factor 2 → 1.5) makes 1.9× "partly".
  t.is(evidence(19, 10), 'holds');
  t.is(evidence(5.3, 10), 'holds');
});

test('a reversal never holds, even when the ratio is near 1 (kills dropping the direction check)', (t) => {
  // Mutation: skipping the side comparison would let 0.9× vs the paper's 1.3× "hold" (ratio 0.69).
  t.is(evidence(0.9, 1.3), 'does not hold');
  t.is(evidence(1.0, 1.3), 'does not hold');
  // Percentages turn on 0: −3 % against +13 % is the opposite direction.
  t.is(evidence(-3, 13, '%'), 'does not hold');
  t.is(evidence(8, 13, '%'), 'holds');
  t.is(evidence(undefined, 13, '%'), 'does not hold');
});

test('calibration never holds, whatever the ratio (kills a calibrated claim passing as evidence)', (t) => {
  // Mutation: ignoring `class` would make this exact match "holds".
  const j = judge({ ours: 3500, paper: { value: 3500 }, unit: 'ms', class: 'calibration' });
  t.is(j.verdict, 'calibrated');
  t.is(j.ratio, 1);
});

test('a paper that states only a direction gives at most "partly" (the live-migration example)', (t) => {
  // Mutation: treating a direction-only paper as a number (e.g. paper_range [1, 1]) would compare 11.4 with 1.
  t.is(judge({ ours: 11.4, paper: { direction: 'up' }, unit: 'x', class: 'evidence' }).verdict, 'partly');
  t.is(judge({ ours: 0.8, paper: { direction: 'up' }, unit: 'x', class: 'evidence' }).verdict, 'does not hold');
  t.is(judge({ ours: 2, paper: undefined, unit: 'x', class: 'evidence' }).verdict, 'not claimed');
  const r = toRecord({ id: 'e', figure: 'f', metric: 'm', unit: 'x', ours: 11.4, paper: { direction: 'up' }, class: 'evidence', points: ['p'] });
  t.is(r.paper, null);
  t.is(r.paper_direction, 'up');
  t.is(r.ratio, null);
  t.regex(r.why ?? '', /no number/);
});
