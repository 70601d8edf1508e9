import type { ReportSection } from '../../plots/index.ts';
import { fmt, ratioToPaper } from './claim-format.ts';
import type { FigureResult } from './figure.ts';

/** A figure's report section: its claims (ours, the paper's, the ratio), notes, figures. */
export function reportSection(result: FigureResult): ReportSection {
  const claims = result.claims.map((c) => {
    const r = ratioToPaper(c);
    const paper = c.paper === undefined ? '' : ` (paper: ${fmt(c.paper, c.unit)}${r === undefined ? '' : `, ours/paper ${r.toFixed(2)}`})`;
    return `${c.text}: ${fmt(c.ours, c.unit)}${paper}`;
  });
  return { heading: result.title, paragraphs: [claims.join('\n'), ...result.notes.map((n) => `Note: ${n}`)], figures: result.figures };
}
