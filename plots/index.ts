/** plots/: results → vega-lite specs → SVG / PNG / offline HTML. Pure of simulation logic. */
export { BASE_CONFIG, FONT_FAMILY, FONT_FILE, svgToPng, toSvg } from './render.ts';
export { writeReport, type ReportSection, type ReportTable } from './report.ts';
export { writeFigure, type Figure, type WrittenFigure } from './write-figure.ts';
