import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { llumnixReproduction, reproduceLlumnix } from '../../artifact/llumnix/reproduce.ts';
import type { ClaimsFile } from '../../artifact/verdict.ts';

test('a miniature reproduction writes every figure, claim file, claims.json, claims.md and report.html; finished points are reused', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'fleetlab-repro-'));
  const results = await reproduceLlumnix({ full: false, only: [], out, workers: 2, progress: false, mode: 'mini' });
  t.deepEqual(results.map((r) => r.id), [...llumnixReproduction.figures]);
  for (const [id, n] of [['fig10', 10], ['fig11', 11], ['fig13', 13], ['fig14', 14], ['fig15', 15]] as const) {
    t.true(existsSync(join(out, id, `figure${n}.png`)), `${id} png`);
    t.true(existsSync(join(out, id, `figure${n}.claim`)), `${id} claim`);
  }
  const file = JSON.parse(readFileSync(join(out, 'claims.json'), 'utf8')) as ClaimsFile;
  // Every claim of every figure is in claims.json with a verdict, a class and the points it used.
  t.deepEqual([...new Set(file.claims.map((c) => c.figure))], ['fig10', 'fig11', 'fig13', 'fig14', 'fig15']);
  for (const c of file.claims) {
    t.true(['holds', 'partly', 'does not hold', 'calibrated', 'not claimed'].includes(c.verdict), c.id);
    t.true(c.class === 'evidence' || c.class === 'calibration', c.id);
    if (c.class === 'calibration') t.is(c.verdict, 'calibrated', c.id);
  }
  // Mini mode runs 2 of the 5 plotted Fig. 11 rates; a claim names exactly those points.
  const gen = file.claims.find((c) => c.id === 'generated.infaas.prefill_p99.up_to');
  t.deepEqual(gen?.points, ['M-M@7.4', 'M-M@7.5']);
  t.regex(readFileSync(join(out, 'claims.md'), 'utf8'), /\| fig11 \| Generated traces vs INFaaS\+\+, prefill latency P99/);
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  t.regex(html, /<table>/);
  t.is(html.match(/<h1>/g)?.length, 1);

  // Reuse: note every finished point's summary time and run the figure again. (The points are
  // not touched: a results folder is checked against its manifest, so an edited file would
  // rightly count as damaged and run again.)
  const points = join(out, 'fig13', 'points');
  const ids = readdirSync(points);
  const mtimes = ids.map((id) => statSync(join(points, id, 'summary.json')).mtimeMs);
  const again = await reproduceLlumnix({ full: false, only: ['fig13'], out, workers: 1, progress: false, mode: 'mini' });
  t.is(again.length, 1);
  // Mutation: ignoring finished points (always re-running) rewrites every summary.json.
  ids.forEach((id, i) => t.is(statSync(join(points, id, 'summary.json')).mtimeMs, mtimes[i] ?? Number.NaN, id));

  // A changed config is not "finished": that point runs again and its summary is rewritten.
  const config = join(points, ids[0]!, 'config.json');
  writeFileSync(config, JSON.stringify({ ...JSON.parse(readFileSync(config, 'utf8')), name: 'changed' }));
  await reproduceLlumnix({ full: false, only: ['fig13'], out, workers: 1, progress: false, mode: 'mini' });
  t.not(statSync(join(points, ids[0]!, 'summary.json')).mtimeMs, mtimes[0]);
});
