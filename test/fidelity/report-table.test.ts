// The error table: one row per metric and statistic; with several real replays, their range
// and whether the simulated value lies inside it.
import test from 'ava';
import { compare, markdownTable, stats, withinRealRange } from '../../fidelity/report.ts';

const rows = [compare('TTFT', [0.010, 0.020], [0.012, 0.022]), compare('E2E', [0.1, 0.3], [0.5, 0.7])];

test('one replay: the error columns only', (t) => {
  const md = markdownTable(rows).split('\n');
  t.is(md.length, 2 + 2 * 4);
  t.is(md[0], '| metric | stat | real (ms) | simulated (ms) | error |');
  t.is(md[2], '| TTFT | mean | 15.0 | 17.0 | +13.3 % |');
});

test('several replays: the real range and whether the simulated value is inside it', (t) => {
  const runs = [
    { TTFT: stats([0.010, 0.020]), E2E: stats([0.1, 0.3]) },
    { TTFT: stats([0.014, 0.024]), E2E: stats([0.1, 0.4]) },
    { TTFT: stats([0.012, 0.018]), E2E: stats([0.2, 0.3]) },
  ];
  const md = markdownTable(rows, [{ without: 'contention', metrics: rows }], runs).split('\n');
  t.is(md[0], '| metric | stat | real (ms) | simulated (ms) | error | real over 3 replays (ms) | simulated within | error without contention |');
  // TTFT means 15, 19, 15 ms: the simulated 17 ms lies inside.
  t.is(md[2], '| TTFT | mean | 15.0 | 17.0 | +13.3 % | 15.0–19.0 | yes | +13.3 % |');
  // E2E means 200, 250, 250 ms: the simulated 600 ms does not.
  t.is(md[6], '| E2E | mean | 200.0 | 600.0 | +200.0 % | 200.0–250.0 | no | +200.0 % |');
});

test('a metric missing from a replay is n/a, never a made-up range', (t) => {
  const md = markdownTable(rows, [], [{ TTFT: stats([0.01]) }, { TTFT: stats([0.02]) }]).split('\n');
  t.true(md[6]!.startsWith('| E2E | mean | 200.0 | 600.0 | +200.0 % | n/a |'), md[6]);
});

test('withinRealRange counts the statistics the simulator put inside the replays\' range', (t) => {
  const runs = [
    { TTFT: stats([0.010, 0.020]), E2E: stats([0.1, 0.3]) },
    { TTFT: stats([0.014, 0.024]), E2E: stats([0.1, 0.4]) },
  ];
  // TTFT: simulated 17 / 17 / 20.6 / 21.96 ms against ranges 15–19, 15–19, 19–23, 19.9–23.9: all in.
  // E2E: simulated 600 … ms against 200–250 ms: none.
  t.deepEqual(withinRealRange(rows, runs), { within: 4, of: 8 });
  t.is(withinRealRange(rows, [runs[0]!]), undefined, 'one replay has no range');
});
