import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeReport } from '../../plots/index.ts';
import type { ReproduceOptions, Reproduction } from '../reproduction.ts';
import { claimsReportTable, verdictCounts, writeClaimsFiles } from '../claims-table.ts';
import { RULE_TEXT } from '../verdict.ts';
import { claimRecords } from './claim-format.ts';
import { FIGURES } from './figures.ts';
import type { FigureResult, Mode } from './figure.ts';
import { reportSection } from './report-section.ts';

/**
 * `fleetlab reproduce llumnix`: every figure (or `--only`), then `claims.md` and an offline
 * `report.html` at the output root. A figure that fails does not stop the others; the run
 * fails at the end naming it. `mode` other than quick/full is for tests (`mini`).
 */
export async function reproduceLlumnix(options: ReproduceOptions & { mode?: Mode }): Promise<FigureResult[]> {
  const mode: Mode = options.mode ?? (options.full ? 'full' : 'quick');
  const selected = FIGURES.filter((f) => options.only.length === 0 || options.only.includes(f.id));
  mkdirSync(options.out, { recursive: true });
  const results: FigureResult[] = [];
  const failures: string[] = [];
  const started_all = performance.now();
  const timings: Record<string, number> = {};
  for (const figure of selected) {
    const dir = join(options.out, figure.id);
    mkdirSync(dir, { recursive: true });
    const started = performance.now();
    try {
      results.push(await figure.run({ dir, mode, workers: options.workers, progress: options.progress }));
      timings[figure.id] = Math.round(performance.now() - started) / 1e3;
      console.error(`${figure.id}: done in ${((performance.now() - started) / 1e3).toFixed(1)} s → ${dir}/`);
    } catch (error) {
      failures.push(`${figure.id}: ${error instanceof Error ? error.message : String(error)}`);
      console.error(`${figure.id}: FAILED: ${failures.at(-1)}`);
    }
  }
  const wall_s = Math.round((performance.now() - started_all) / 100) / 10;
  writeFileSync(join(options.out, 'timings.json'), `${JSON.stringify({ mode, workers: options.workers, wall_s, figures_s: timings }, null, 2)}\n`);
  const records = results.flatMap((r) => claimRecords(r.id, r.claims));
  writeClaimsFiles(options.out, { paper: 'llumnix', mode, rule: RULE_TEXT, claims: records }, "Llumnix (OSDI'24) claims: fleetlab simulation vs the paper");
  const summary = { heading: 'Claims', paragraphs: [`Verdicts: ${verdictCounts(records)}.`, `Rule: ${RULE_TEXT}`], figures: [], table: claimsReportTable(records) };
  const extra = { heading: 'Numbers the paper does not claim', paragraphs: ['Reported apart, never beside a paper number.'], figures: [], table: claimsReportTable(records, 'not claimed') };
  writeReport(join(options.out, 'report.html'), `Llumnix (OSDI'24) reproduced in fleetlab — ${mode} mode`, [summary, ...results.map(reportSection), extra]);
  console.error(`wrote claims.json, claims.md and report.html to ${options.out}/ (${verdictCounts(records)})`);
  if (failures.length > 0) throw new Error(`${failures.length} figure(s) failed:\n${failures.join('\n')}`);
  return results;
}

export const llumnixReproduction: Reproduction = {
  paper: 'llumnix',
  figures: FIGURES.map((f) => f.id),
  run: async (options) => {
    await reproduceLlumnix(options);
  },
};
