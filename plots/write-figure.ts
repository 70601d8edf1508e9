import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { TopLevelSpec } from 'vega-lite';
import { svgToPng, toSvg } from './render.ts';

export interface Figure {
  /** File stem: `<dir>/<name>.{vl.json,svg,png,csv}`. */
  readonly name: string;
  readonly title: string;
  /** The spec, with its data inline under `data.values`. */
  readonly spec: TopLevelSpec;
  /** The rows the figure plots, written beside it as CSV. */
  readonly rows: readonly Record<string, unknown>[];
}

export interface WrittenFigure {
  readonly name: string;
  readonly title: string;
  readonly files: { readonly spec: string; readonly svg: string; readonly png: string; readonly csv: string };
  readonly spec: TopLevelSpec;
}

/** Writes a figure's spec, SVG, PNG and data CSV into `dir`. */
export async function writeFigure(figure: Figure, dir: string): Promise<WrittenFigure> {
  mkdirSync(dir, { recursive: true });
  const svg = await toSvg(figure.spec);
  const files = {
    spec: join(dir, `${figure.name}.vl.json`),
    svg: join(dir, `${figure.name}.svg`),
    png: join(dir, `${figure.name}.png`),
    csv: join(dir, `${figure.name}.csv`),
  };
  writeFileSync(files.spec, `${JSON.stringify(figure.spec, null, 2)}\n`);
  writeFileSync(files.svg, svg);
  writeFileSync(files.png, svgToPng(svg));
  writeFileSync(files.csv, stringify(figure.rows as Record<string, unknown>[], { header: true }));
  return { name: figure.name, title: figure.title, files, spec: figure.spec };
}
