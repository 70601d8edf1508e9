/** The paper's claims as data, checked against our numbers by code; written as .claim files and claims.md. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Claim {
  readonly id: string;
  readonly figure: string;
  readonly paper: string;
  readonly paper_range: readonly [number, number];
  readonly measured_range: readonly [number, number];
  readonly holds: boolean;
  readonly note: string;
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
    '| claim | paper | measured | holds | note |',
    '|---|---|---|---|---|',
    ...claims.map((c) => `| ${c.paper} | ${fmt(c.paper_range)} | ${fmt(c.measured_range)} | ${c.holds ? 'yes' : 'no'} | ${c.note} |`),
    '',
  ];
  writeFileSync(join(out, 'claims.md'), lines.join('\n'));
}

export function rangeOf(values: readonly number[]): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v));
  return finite.length === 0 ? [NaN, NaN] : [Math.min(...finite), Math.max(...finite)];
}
