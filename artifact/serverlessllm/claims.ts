/** The paper's claims as data, checked against our numbers by code; written as .claim files and claims.md. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Claim {
  readonly id: string;
  readonly figure: string;
  readonly paper: string;
  readonly paper_range: readonly [number, number];
  readonly measured_range: readonly [number, number];
  readonly verdict: Verdict;
  readonly note: string;
}

/**
 * `holds`: every measured value lies in the paper's range, widened by 25 % at each end (a
 * simulator is not the testbed); `partly`: the ranges overlap; `does not hold`: they do not.
 */
export type Verdict = 'holds' | 'partly' | 'does not hold';

export function rangeVerdict(paper: readonly [number, number], measured: readonly [number, number]): Verdict {
  const [lo, hi] = measured;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return 'does not hold';
  if (lo >= paper[0] / 1.25 && hi <= paper[1] * 1.25) return 'holds';
  return lo <= paper[1] && hi >= paper[0] ? 'partly' : 'does not hold';
}

const fmt = (r: readonly [number, number]): string => `${r[0].toFixed(2)}–${r[1].toFixed(2)}×`;

export function writeClaims(out: string, claims: readonly Claim[]): void {
  for (const claim of claims) {
    mkdirSync(join(out, claim.figure), { recursive: true });
    writeFileSync(join(out, claim.figure, `${claim.id}.claim`), `${JSON.stringify(claim, null, 2)}\n`);
  }
  const lines = [
    '# ServerlessLLM claims vs fleetlab (computed by artifact/serverlessllm)',
    '',
    '| claim | paper | measured | verdict | note |',
    '|---|---|---|---|---|',
    ...claims.map((c) => `| ${c.paper} | ${fmt(c.paper_range)} | ${fmt(c.measured_range)} | ${c.verdict} | ${c.note} |`),
    '',
  ];
  writeFileSync(join(out, 'claims.md'), lines.join('\n'));
}

export function rangeOf(values: readonly number[]): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v));
  return finite.length === 0 ? [NaN, NaN] : [Math.min(...finite), Math.max(...finite)];
}
