import type { Claim } from './claims.ts';

/** 3 significant digits, trimmed; "n/a" for a missing value. */
export function fmt(value: number | undefined, unit: Claim['unit']): string {
  if (value === undefined) return 'n/a';
  const text = Math.abs(value) >= 100 ? value.toFixed(0) : Number(value.toPrecision(3)).toString();
  return unit === 'x' ? `${text}×` : unit === '%' ? `${text}%` : `${text} ${unit}`;
}

/** ours / paper, when both exist and the paper's is not zero. */
export function ratioToPaper(c: Claim): number | undefined {
  return c.ours !== undefined && c.paper !== undefined && c.paper !== 0 ? c.ours / c.paper : undefined;
}

/** The text of `figureN.claim`: one sentence per claim, our words and our numbers. */
export function claimFile(title: string, claims: readonly Claim[], notes: readonly string[]): string {
  const lines = claims.map((c) => `${c.text}: ${fmt(c.ours, c.unit)}`);
  return `${title} (fleetlab simulation)\n${lines.join('\n')}\n${notes.length > 0 ? `\nNotes:\n${notes.map((n) => `- ${n}`).join('\n')}\n` : ''}`;
}

/** A markdown table of every figure's claims, ours against the paper's. */
export function claimsMarkdown(sections: readonly { title: string; claims: readonly Claim[] }[]): string {
  const out = ['# Llumnix claims: fleetlab simulation vs the paper', '', 'Computed from this run\'s results; "paper" is the number the paper claims for the same quantity.', ''];
  for (const s of sections) {
    out.push(`## ${s.title}`, '', '| claim | ours | paper | ours / paper |', '|---|---|---|---|');
    for (const c of s.claims) {
      const r = ratioToPaper(c);
      out.push(`| ${c.text} | ${fmt(c.ours, c.unit)} | ${c.paper === undefined ? '—' : fmt(c.paper, c.unit)} | ${r === undefined ? '—' : r.toFixed(2)} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
