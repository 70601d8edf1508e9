import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportTable } from '../plots/index.ts';
import type { ClaimRecord, ClaimsFile } from './verdict.ts';
import { RULE_TEXT } from './verdict.ts';

/** 3 significant digits, trimmed, with the unit; "—" for a missing value. */
export function fmtValue(value: number | null | undefined, unit: ClaimRecord['unit']): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const text = Math.abs(value) >= 100 ? value.toFixed(0) : Number(value.toPrecision(3)).toString();
  return unit === 'x' ? `${text}×` : unit === '%' ? `${text}%` : `${text} ${unit}`;
}

/** The paper's side of a claim: its number, or the direction it states. */
export function fmtPaper(c: ClaimRecord): string {
  if (c.paper !== null) return fmtValue(c.paper, c.unit);
  if (c.paper_direction !== null) return c.paper_direction === 'up' ? `> ${c.unit === 'x' ? '1×' : '0'} (no number)` : `< ${c.unit === 'x' ? '1×' : '0'} (no number)`;
  return '—';
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/**
 * Markdown table of claims: ours, the paper's, the ratio, the verdict, the class and why. Claims
 * the paper does not make are listed after the others, in their own table.
 */
export function claimsTableMarkdown(claims: readonly ClaimRecord[]): string {
  const claimed = claims.filter((c) => c.verdict !== 'not claimed');
  const extra = claims.filter((c) => c.verdict === 'not claimed');
  const out: string[] = [];
  if (claimed.length > 0) {
    out.push('| figure | claim | ours | paper | ours / paper | verdict | class | why |', '|---|---|---|---|---|---|---|---|');
    for (const c of claimed) {
      out.push(
        `| ${c.figure} | ${cell(c.metric)} | ${fmtValue(c.ours, c.unit)} | ${cell(fmtPaper(c))} | ${c.ratio === null ? '—' : c.ratio.toFixed(2)} | **${c.verdict}** | ${c.class} | ${cell(c.why ?? '')} |`,
      );
    }
  }
  if (extra.length > 0) {
    out.push('', 'Numbers the paper does not claim (reported apart, never beside a paper number):', '', '| figure | quantity | ours | class | note |', '|---|---|---|---|---|');
    for (const c of extra) out.push(`| ${c.figure} | ${cell(c.metric)} | ${fmtValue(c.ours, c.unit)} | ${c.class} | ${cell(c.why ?? '')} |`);
  }
  return out.join('\n');
}

/** Count of verdicts, e.g. "holds 5, partly 3, does not hold 2, calibrated 4". */
export function verdictCounts(claims: readonly ClaimRecord[]): string {
  const order = ['holds', 'partly', 'does not hold', 'calibrated', 'not claimed'] as const;
  return order
    .map((v) => [v, claims.filter((c) => c.verdict === v).length] as const)
    .filter(([, n]) => n > 0)
    .map(([v, n]) => `${v} ${n}`)
    .join(', ');
}

/** The whole claims.md of one reproduction. */
export function claimsFileMarkdown(file: ClaimsFile, title: string): string {
  return [`# ${title}`, '', `Mode: ${file.mode}. Verdicts: ${verdictCounts(file.claims)}.`, '', `Rule: ${RULE_TEXT}`, '', claimsTableMarkdown(file.claims), ''].join('\n');
}

/** The claims as a report table (plots/report.ts), one row per claim, classed by verdict. */
export function claimsReportTable(all: readonly ClaimRecord[], which: 'claimed' | 'not claimed' = 'claimed'): ReportTable {
  const claims = all.filter((c) => (c.verdict === 'not claimed') === (which === 'not claimed'));
  return {
    header: ['figure', 'claim', 'ours', 'paper', 'ours / paper', 'verdict', 'class', 'why'],
    rows: claims.map((c) => [c.figure, c.metric, fmtValue(c.ours, c.unit), c.verdict === 'not claimed' ? '(not claimed)' : fmtPaper(c), c.ratio === null ? '—' : c.ratio.toFixed(2), c.verdict, c.class, c.why ?? '']),
    rowClasses: claims.map((c) => c.verdict.replace(/ /g, '-')),
  };
}

/** Writes `claims.json` and `claims.md` of one reproduction into `out`. */
export function writeClaimsFiles(out: string, file: ClaimsFile, title: string): void {
  writeFileSync(join(out, 'claims.json'), `${JSON.stringify(file, null, 2)}\n`);
  writeFileSync(join(out, 'claims.md'), claimsFileMarkdown(file, title));
}
