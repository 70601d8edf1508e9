/**
 * `npm run docs:claims [-- <results root>]`: copies each reproduction's claims.json and
 * timings.json (from `<root>/<paper>/`, default `results/`) into `docs/claims/<paper>.json` and
 * regenerates the claims table and wall times in docs/reproduce.md and docs/serverlessllm.md
 * between their `<!-- generated:claims -->` markers. test/artifact/docs-claims.test.ts checks
 * that the docs match the snapshots and that every verdict in them follows the rule, so
 * numbers in the docs are never typed by hand.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { claimsTableMarkdown, verdictCounts } from './claims-table.ts';
import { type ClaimsFile, RULE_TEXT } from './verdict.ts';

export interface Timings {
  readonly mode: string;
  readonly workers: number;
  readonly wall_s: number;
  readonly figures_s: Readonly<Record<string, number>>;
}

/** What docs/claims/<paper>.json holds: the run's claims and its wall times. */
export interface DocsSnapshot {
  readonly claims: ClaimsFile;
  readonly timings: Timings;
}

export const DOCS: readonly { paper: string; doc: string }[] = [
  { paper: 'llumnix', doc: 'docs/reproduce.md' },
  { paper: 'serverlessllm', doc: 'docs/serverlessllm.md' },
];

export const BEGIN = '<!-- generated:claims begin (npm run docs:claims; do not edit by hand) -->';
export const END = '<!-- generated:claims end -->';

/** The generated block of a doc: wall times, verdict counts, the rule and the claims table. */
export function docsBlock(s: DocsSnapshot): string {
  const figures = Object.entries(s.timings.figures_s)
    .map(([id, t]) => `${id} ${t.toFixed(1)} s`)
    .join(', ');
  return [
    BEGIN,
    '',
    `Last regenerated from a ${s.claims.mode}-mode run with \`-j ${s.timings.workers}\`: wall time **${s.timings.wall_s.toFixed(1)} s** (${figures}). Verdicts: ${verdictCounts(s.claims.claims)}.`,
    '',
    `Rule (one for both papers, \`artifact/verdict.ts\`): ${RULE_TEXT}`,
    '',
    claimsTableMarkdown(s.claims.claims),
    '',
    END,
  ].join('\n');
}

/** `doc` with its generated block replaced (throws when the markers are missing). */
export function replaceBlock(doc: string, block: string, name: string): string {
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${name}: no generated-claims markers (${BEGIN} … ${END})`);
  return doc.slice(0, a) + block + doc.slice(b + END.length);
}

/** The generated block currently in `doc`, or undefined. */
export function currentBlock(doc: string): string | undefined {
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  return a < 0 || b < a ? undefined : doc.slice(a, b + END.length);
}

export function snapshotPath(root: string, paper: string): string {
  return join(root, 'docs', 'claims', `${paper}.json`);
}

function main(): void {
  const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
  const results = process.argv[2] ?? join(repo, 'results');
  for (const { paper, doc } of DOCS) {
    const dir = join(results, paper);
    const claimsFile = join(dir, 'claims.json');
    const timingsFile = join(dir, 'timings.json');
    if (!existsSync(claimsFile) || !existsSync(timingsFile)) {
      console.error(`skipping ${paper}: no ${claimsFile} or ${timingsFile} (run \`fleetlab reproduce ${paper} -o ${dir}\` first)`);
      continue;
    }
    const snapshot: DocsSnapshot = { claims: JSON.parse(readFileSync(claimsFile, 'utf8')) as ClaimsFile, timings: JSON.parse(readFileSync(timingsFile, 'utf8')) as Timings };
    writeFileSync(snapshotPath(repo, paper), `${JSON.stringify(snapshot, null, 2)}\n`);
    const path = join(repo, doc);
    writeFileSync(path, replaceBlock(readFileSync(path, 'utf8'), docsBlock(snapshot), doc));
    console.log(`${doc}: ${snapshot.claims.claims.length} claims (${verdictCounts(snapshot.claims.claims)}), wall ${snapshot.timings.wall_s} s`);
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) main();
