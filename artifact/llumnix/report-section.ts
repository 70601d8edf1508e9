import type { ReportSection } from '../../plots/index.ts';
import type { FigureResult } from './figure.ts';

/** A figure's report section: its notes and figures (the claims are in the page's table). */
export function reportSection(result: FigureResult): ReportSection {
  return { heading: result.title, paragraphs: result.notes.map((n) => `Note: ${n}`), figures: result.figures };
}
