import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { fig10Spec } from '../../artifact/llumnix/fig10-migration/plot.ts';
import { fig15Spec } from '../../artifact/llumnix/fig15-threshold/index.ts';
import { gridSpec } from '../../artifact/llumnix/grid-spec.ts';
import { writeFigure } from '../../plots/index.ts';

const isPng = (file: string) => readFileSync(file).subarray(1, 4).toString('latin1') === 'PNG';

test('every figure spec compiles and renders to PNG on small data', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetlab-figs-'));
  const grid = gridSpec({
    title: 'grid',
    rows: [
      { row: 'A', panel: 'P1', x: 1, system: 'INFaaS++', value: 2 },
      { row: 'A', panel: 'P1', x: 2, system: 'Llumnix', value: 1 },
      { row: 'B', panel: 'P2', x: 1, system: 'Llumnix', value: 0.001 },
    ],
    rowOrder: ['A', 'B'],
    panelOrder: ['P1', 'P2'],
    systems: ['INFaaS++', 'Llumnix'],
    xTitle: 'x',
  });
  const fig10 = fig10Spec('f10', [
    { panel: 'downtime', model: 'LLaMA-7B', length: 256, series: 'Migration', ms: 15 },
    { panel: 'downtime', model: 'LLaMA-7B', length: 8192, series: 'Recompute', ms: 2000 },
    { panel: 'decode', model: 'LLaMA-7B', length: 256, series: 'Normal', ms: 52 },
  ]);
  const fig15 = fig15Spec([
    { system: 'INFaaS++', threshold: 5, instances: 6, p99_prefill_s: 3 },
    { system: 'Llumnix', threshold: 5, instances: 5, p99_prefill_s: 2 },
  ]);
  for (const [name, spec] of [['grid', grid], ['fig10', fig10], ['fig15', fig15]] as const) {
    const written = await writeFigure({ name, title: name, spec, rows: [] }, dir);
    t.true(isPng(written.files.png), name);
  }
});
