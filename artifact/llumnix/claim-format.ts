import { fmtPaper, fmtValue } from '../claims-table.ts';
import { type ClaimRecord, toRecord } from '../verdict.ts';
import type { Claim } from './claims.ts';

/** 3 significant digits, trimmed; "n/a" for a missing value. */
export function fmt(value: number | undefined, unit: Claim['unit']): string {
  return value === undefined ? 'n/a' : fmtValue(value, unit);
}

/** A figure's claims, judged by the one verdict rule (artifact/verdict.ts). */
export function claimRecords(figure: string, claims: readonly Claim[]): ClaimRecord[] {
  return claims.map((c) =>
    toRecord({
      id: c.id,
      figure,
      metric: c.text,
      unit: c.unit,
      ours: c.ours,
      paper: c.paper === undefined ? undefined : { value: c.paper },
      class: c.class ?? 'evidence',
      points: c.points ?? [],
      note: c.note,
    }),
  );
}

/** One line of a `.claim` file or report: ours, the paper's, the verdict and its class. */
export function claimLine(c: ClaimRecord): string {
  const paper = c.verdict === 'not claimed' ? '' : ` — paper ${fmtPaper(c)}${c.ratio === null ? '' : `, ours/paper ${c.ratio.toFixed(2)}`}: ${c.verdict} (${c.class})`;
  return `${c.metric}: ${fmtValue(c.ours, c.unit)}${paper}${c.why === null || c.verdict === 'holds' ? '' : ` [${c.why}]`}`;
}

/** The text of `figureN.claim`: one sentence per claim, our words and our numbers. */
export function claimFile(title: string, records: readonly ClaimRecord[], notes: readonly string[]): string {
  return `${title} (fleetlab simulation)\n${records.map(claimLine).join('\n')}\n${notes.length > 0 ? `\nNotes:\n${notes.map((n) => `- ${n}`).join('\n')}\n` : ''}`;
}

/**
 * Subtitle lines that mark the paper's claimed values on a figure: for each claim id, the paper's
 * number beside ours and the verdict (the paper gives "up to" values, not curves).
 */
export function paperMarks(figure: string, claims: readonly Claim[], ids: readonly string[]): string[] {
  const records = claimRecords(figure, claims);
  return ids.flatMap((id) => {
    const c = records.find((r) => r.id === id);
    if (c === undefined || c.verdict === 'not claimed') return [];
    return [`${c.metric.replace(/: baseline \/ Llumnix, max over points|, max over points/, '')} — paper ${fmtPaper(c)}, ours ${fmtValue(c.ours, c.unit)} (${c.verdict})`];
  });
}
