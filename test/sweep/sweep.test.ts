import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { derivedSeed, mergedCsv, mergeSweeps, parseShard, runSweep, selectShard } from '../../sweep/index.ts';
import { tempDir, tinySweep } from './helpers.ts';

const summaries = (out: string): Record<string, string> =>
  Object.fromEntries(readdirSync(join(out, 'points')).map((id) => [id, readFileSync(join(out, 'points', id, 'summary.json'), 'utf8')]));

test('derived seeds are stable, differ by group, and fit a non-negative int', (t) => {
  t.is(derivedSeed(7, 'a'), derivedSeed(7, 'a'));
  t.not(derivedSeed(7, 'a'), derivedSeed(7, 'b'));
  t.not(derivedSeed(7, 'a'), derivedSeed(8, 'a'));
  t.true(derivedSeed(0, 'x') >= 0 && derivedSeed(0, 'x') < 2 ** 31);
});

test('shards are parsed strictly and split sorted ids round-robin', (t) => {
  t.deepEqual(parseShard('1/3'), { index: 1, count: 3 });
  t.throws(() => parseShard('3/3'), { message: /0 <= i < n/ });
  t.throws(() => parseShard('a/2'));
  const points = ['d', 'a', 'c', 'b', 'e'].map((id) => ({ id, labels: {}, config: {} as never }));
  t.deepEqual(selectShard(points, { index: 0, count: 2 }).map((p) => p.id), ['a', 'c', 'e']);
  t.deepEqual(selectShard(points, { index: 1, count: 2 }).map((p) => p.id), ['b', 'd']);
});

test('results are identical with 1 or 2 workers, and with 2 shards merged', async (t) => {
  const sweep = tinySweep();
  const one = tempDir();
  const two = tempDir();
  const shardA = tempDir();
  const shardB = tempDir();
  const ran = await runSweep(sweep, { out: one, workers: 1 });
  t.deepEqual(ran.map((o) => o.status), ['ran', 'ran', 'ran', 'ran']);
  await runSweep(sweep, { out: two, workers: 2 });
  t.deepEqual(summaries(two), summaries(one));
  await runSweep(sweep, { out: shardA, workers: 2, shard: { index: 0, count: 2 } });
  await runSweep(sweep, { out: shardB, workers: 1, shard: { index: 1, count: 2 } });
  t.is(readdirSync(join(shardA, 'points')).length, 2);
  t.is(mergedCsv(mergeSweeps([shardA, shardB])), mergedCsv(mergeSweeps([one])));
  // Systems at one rate share a seed group, hence the same requests.
  const merged = mergeSweeps([one]);
  t.is(merged[0]?.summary.seed, merged[1]?.summary.seed);
  t.deepEqual(merged[0]?.labels, { system: 'infaas++', rate: 2 });
});

test('finished points are skipped; a changed config re-runs its point', async (t) => {
  const sweep = tinySweep(100);
  const out = tempDir();
  await runSweep(sweep, { out, workers: 1 });
  const file = join(out, 'points', 'r2-llumnix', 'summary.json');
  const before = statSync(file).mtimeMs;
  const again = await runSweep(sweep, { out, workers: 2 });
  t.true(again.every((o) => o.status === 'skipped'));
  t.is(statSync(file).mtimeMs, before);
  // Tamper with one point's config.json: that point (only) runs again.
  writeFileSync(join(out, 'points', 'r4-infaas++', 'config.json'), '{}\n');
  const third = await runSweep(sweep, { out, workers: 1 });
  t.deepEqual(third.filter((o) => o.status === 'ran').map((o) => o.point.id), ['r4-infaas++']);
});

test('a bad point id and a failing point are named', async (t) => {
  const sweep = tinySweep(10);
  await t.throwsAsync(runSweep({ ...sweep, points: [{ ...sweep.points[0]!, id: 'a/b' }] }, { out: tempDir(), workers: 1 }), { message: /a\/b/ });
  const bad = { ...sweep.points[0]!, id: 'bad', config: { ...sweep.points[0]!.config, cluster: { instances: -1 } } };
  await t.throwsAsync(runSweep({ ...sweep, points: [bad] }, { out: tempDir(), workers: 1 }), { message: /bad/ });
});
