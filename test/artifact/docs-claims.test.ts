import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { currentBlock, DOCS, docsBlock, type DocsSnapshot, snapshotPath } from '../../artifact/docs-claims.ts';
import { judge } from '../../artifact/verdict.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

for (const { paper, doc } of DOCS) {
  test(`${doc}: the claims table is generated from docs/claims/${paper}.json, and every verdict follows the rule`, (t) => {
    const snapshot = JSON.parse(readFileSync(snapshotPath(repo, paper), 'utf8')) as DocsSnapshot;
    t.is(snapshot.claims.paper, paper);
    // Mutation: editing a number or a verdict in the doc by hand makes the block differ from the generated one.
    t.is(currentBlock(readFileSync(join(repo, doc), 'utf8')), docsBlock(snapshot));
    t.true(snapshot.claims.claims.length > 0);
    for (const c of snapshot.claims.claims) {
      const paperValue = c.paper !== null ? { value: c.paper } : c.paper_direction !== null ? { direction: c.paper_direction } : undefined;
      // Mutation: a verdict typed into claims.json (e.g. "holds" for a calibration claim) disagrees with the rule.
      t.is(judge({ ours: c.ours ?? undefined, paper: paperValue, unit: c.unit, class: c.class }).verdict, c.verdict, c.id);
      if (c.ours !== null && c.paper !== null && c.paper !== 0) t.true(Math.abs((c.ratio ?? Number.NaN) - c.ours / c.paper) < 1e-9, c.id);
      t.true(c.points.length > 0 || c.ours === null, `${c.id} names the points it used`);
    }
    t.true(snapshot.timings.wall_s > 0);
  });
}
