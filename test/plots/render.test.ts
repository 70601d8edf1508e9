import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { TopLevelSpec } from 'vega-lite';
import { toSvg, writeFigure, writeReport } from '../../plots/index.ts';

const spec: TopLevelSpec = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  data: { values: [{ x: 1, y: 2, s: 'a' }, { x: 2, y: 3, s: 'a' }, { x: 1, y: 1, s: 'b' }] },
  mark: 'line',
  encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, color: { field: 's' } },
};

test('a figure renders to SVG and a PNG, with its spec and data beside it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetlab-plot-'));
  const written = await writeFigure({ name: 'f', title: 'F', spec, rows: [{ x: 1, y: 2 }] }, dir);
  const png = readFileSync(written.files.png);
  t.deepEqual([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), 'PNG');
  t.regex(readFileSync(written.files.svg, 'utf8'), /^<svg/);
  t.is(readFileSync(written.files.csv, 'utf8'), 'x,y\n1,2\n');
  // Rendering is deterministic: the same spec gives the same PNG bytes.
  const again = await writeFigure({ name: 'g', title: 'G', spec, rows: [] }, dir);
  t.deepEqual(readFileSync(again.files.png), png);
  const report = join(dir, 'report.html');
  writeReport(report, 'R <test>', [{ heading: 'H', paragraphs: ['a < b'], figures: [written] }]);
  const html = readFileSync(report, 'utf8');
  t.regex(html, /vegaEmbed\('#fig0'/);
  t.regex(html, /a &lt; b/);
  t.notRegex(html, /https?:\/\/cdn/);
});

test('an invalid spec fails loudly', async (t) => {
  await t.throwsAsync(toSvg({ mark: 'line', encoding: { x: { field: 'x', type: 'nonsense' } } } as unknown as TopLevelSpec));
});
