import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { llumnixReproduction, reproduceLlumnix } from '../../artifact/llumnix/reproduce.ts';

test('a miniature reproduction writes every figure, claim file, claims.md and report.html', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'fleetlab-repro-'));
  const results = await reproduceLlumnix({ full: false, only: [], out, workers: 2, progress: false, mode: 'mini' });
  t.deepEqual(results.map((r) => r.id), [...llumnixReproduction.figures]);
  for (const [id, n] of [['fig10', 10], ['fig11', 11], ['fig13', 13], ['fig14', 14], ['fig15', 15]] as const) {
    t.true(existsSync(join(out, id, `figure${n}.png`)), `${id} png`);
    t.true(existsSync(join(out, id, `figure${n}.csv`)), `${id} csv`);
    t.true(existsSync(join(out, id, `figure${n}.claim`)), `${id} claim`);
  }
  const claims = readFileSync(join(out, 'claims.md'), 'utf8');
  t.regex(claims, /Generated traces vs INFaaS\+\+, prefill latency P99/);
  t.regex(readFileSync(join(out, 'report.html'), 'utf8'), /vegaEmbed/);
  // A second run finds every point finished and reuses it.
  const again = await reproduceLlumnix({ full: false, only: ['fig13'], out, workers: 1, progress: false, mode: 'mini' });
  t.is(again.length, 1);
});
