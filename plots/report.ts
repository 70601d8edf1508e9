import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { WrittenFigure } from './write-figure.ts';

const require = createRequire(import.meta.url);

/**
 * Reads a browser bundle from an installed package. The packages' `exports` maps hide their
 * build folders, so find the package root from its main entry and read the file directly.
 */
function bundle(pkg: string, file: string): string {
  let dir = dirname(require.resolve(pkg));
  while (!existsSync(join(dir, 'package.json')) || (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name !== pkg) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the root of package ${pkg}`);
    dir = up;
  }
  return readFileSync(join(dir, file), 'utf8');
}

export interface ReportSection {
  readonly heading: string;
  /** Plain text paragraphs (claims, notes); HTML-escaped. */
  readonly paragraphs: readonly string[];
  readonly figures: readonly WrittenFigure[];
}

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A self-contained report.html: the vega, vega-lite and vega-embed bundles are inlined, so it
 * opens offline (no CDN), and every figure stays interactive.
 */
export function writeReport(path: string, title: string, sections: readonly ReportSection[]): void {
  const scripts = (
    [
      ['vega', 'build/vega.min.js'],
      ['vega-lite', 'build/vega-lite.min.js'],
      ['vega-embed', 'build/vega-embed.min.js'],
    ] as const
  )
    .map(([pkg, file]) => `<script>${bundle(pkg, file).replace(/<\/script/gi, '<\\/script')}</script>`)
    .join('\n');
  let n = 0;
  const embeds: string[] = [];
  const body = sections
    .map((section) => {
      const figures = section.figures
        .map((figure) => {
          const id = `fig${n++}`;
          embeds.push(`vegaEmbed('#${id}', ${JSON.stringify(figure.spec).replace(/</g, '\\u003c')}, {actions: false});`);
          return `<figure><div id="${id}"></div><figcaption>${escape(figure.title)}</figcaption></figure>`;
        })
        .join('\n');
      const paragraphs = section.paragraphs.map((p) => `<p>${escape(p)}</p>`).join('\n');
      return `<section><h2>${escape(section.heading)}</h2>\n${paragraphs}\n${figures}</section>`;
    })
    .join('\n');
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font-family:sans-serif;max-width:1400px;margin:2em auto;padding:0 1em}figure{margin:1em 0}p{white-space:pre-wrap}</style>
${scripts}
</head><body><h1>${escape(title)}</h1>
${body}
<script>${embeds.join('\n')}</script>
</body></html>
`;
  writeFileSync(path, html);
}
