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
  /** An optional table (e.g. claims): header cells and rows of plain-text cells. */
  readonly table?: ReportTable;
}

export interface ReportTable {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Per row, a CSS class for the row (e.g. the verdict), letters, digits and dashes only. */
  readonly rowClasses?: readonly string[];
}

function tableHtml(t: ReportTable): string {
  const head = `<tr>${t.header.map((h) => `<th>${escape(h)}</th>`).join('')}</tr>`;
  const body = t.rows
    .map((r, i) => {
      const cls = (t.rowClasses?.[i] ?? '').replace(/[^A-Za-z0-9-]/g, '');
      return `<tr${cls === '' ? '' : ` class="${cls}"`}>${r.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`;
    })
    .join('\n');
  return `<table><thead>${head}</thead><tbody>\n${body}\n</tbody></table>`;
}

/** The page's look: readable width, claims tables with a colour per verdict. */
const STYLE = `
body{font-family:"DejaVu Sans",system-ui,sans-serif;max-width:1500px;margin:2em auto;padding:0 1.5em;color:#222;line-height:1.45}
h1{font-size:1.6em;border-bottom:2px solid #d62728;padding-bottom:.3em}
h2{font-size:1.25em;margin-top:2.2em;border-bottom:1px solid #ddd;padding-bottom:.2em}
p{white-space:pre-wrap;margin:.4em 0}
p.note{color:#555;font-size:.9em}
table{border-collapse:collapse;font-size:.85em;margin:1em 0;width:100%}
th,td{border:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f4f4f4}
tr.holds td:nth-child(6){background:#e3f4e3}
tr.partly td:nth-child(6){background:#fff4d6}
tr.does-not-hold td:nth-child(6){background:#fbe0e0}
tr.calibrated td:nth-child(6){background:#e6ecf7}
figure{margin:1em 0;overflow-x:auto}
`;

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
          // The section heading names the figure: drop the spec's own title so it shows once.
          const { title: _title, ...untitled } = figure.spec as unknown as Record<string, unknown>;
          embeds.push(`vegaEmbed('#${id}', ${JSON.stringify(untitled).replace(/</g, '\\u003c')}, {actions: false});`);
          return `<figure><div id="${id}"></div></figure>`;
        })
        .join('\n');
      const paragraphs = section.paragraphs.map((p) => `<p class="note">${escape(p)}</p>`).join('\n');
      const table = section.table === undefined ? '' : tableHtml(section.table);
      return `<section><h2>${escape(section.heading)}</h2>\n${table}\n${paragraphs}\n${figures}</section>`;
    })
    .join('\n');
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>${STYLE}</style>
${scripts}
</head><body><h1>${escape(title)}</h1>
${body}
<script>${embeds.join('\n')}</script>
</body></html>
`;
  writeFileSync(path, html);
}
