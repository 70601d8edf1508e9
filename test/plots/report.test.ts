import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { stackedGridSpec } from '../../artifact/llumnix/grid-spec.ts';
import { writeFigure, writeReport } from '../../plots/index.ts';

test('report.html: one h1, each figure title once (its section heading), a claims table with verdict classes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetlab-report-'));
  const spec = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title: 'Figure 99: a unique title', data: { values: [{ a: 1, b: 2 }] }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative' } } } as const;
  const figure = await writeFigure({ name: 'f', title: 'Figure 99: a unique title', spec, rows: [] }, dir);
  const path = join(dir, 'report.html');
  writeReport(path, 'Paper X', [
    { heading: 'Claims', paragraphs: [], figures: [], table: { header: ['claim', 'verdict'], rows: [['a <b>', 'holds']], rowClasses: ['holds'] } },
    { heading: 'Figure 99: a unique title', paragraphs: ['a note'], figures: [figure] },
  ]);
  const html = readFileSync(path, 'utf8');
  t.is(html.match(/<h1>/g)?.length, 1);
  // Mutation: embedding the spec with its title (or adding a figcaption) shows the title 2–3 times.
  t.is(html.split('Figure 99: a unique title').length - 1, 1);
  t.regex(html, /<tr class="holds"><td>a &lt;b&gt;<\/td><td>holds<\/td><\/tr>/);
  t.regex(html, /<style>[^<]*tr\.holds/);
});

test('Fig. 14 layout: each row of panels carries its own x title', (t) => {
  const spec = stackedGridSpec(
    { title: 't', rows: [{ row: 'A', panel: 'P', x: 1, system: 'Llumnix', value: 1 }, { row: 'B', panel: 'P', x: 2, system: 'Llumnix', value: 2 }], rowOrder: ['A', 'B'], panelOrder: ['P'], systems: ['Llumnix'] },
    [
      { row: 'A', xTitle: 'Request rate (req/s)' },
      { row: 'B', xTitle: 'CV of arrivals' },
    ],
  ) as unknown as { vconcat: { spec: { encoding: { x: { title: string } } } }[] };
  t.deepEqual(spec.vconcat.map((v) => v.spec.encoding.x.title), ['Request rate (req/s)', 'CV of arrivals']);
});
