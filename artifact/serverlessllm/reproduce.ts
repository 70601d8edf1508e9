/**
 * `fleetlab reproduce serverlessllm`: loading by tier and loader, latency vs rate for the four
 * placement policies and for ServerlessLLM vs Ray Serve(+Cache) and KServe, the two-node live-migration
 * example, and the paper's claims checked by code. Quick mode: GSM8K only, fewer requests.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFigure, writeReport, type ReportSection } from '../../plots/index.ts';
import { pointsBar } from '../../sweep/progress.ts';
import { claimsReportTable, verdictCounts } from '../claims-table.ts';
import type { ReproduceOptions, Reproduction } from '../reproduction.ts';
import { type ClaimInput, RULE_TEXT } from '../verdict.ts';
import { judgeAll, rangeOf, SLLM_PAPER, writeClaims } from './claims.ts';
import { latencySpec, loadingSpec } from './figures.ts';
import { KSERVE_POD_START_S, KSERVE_RUNTIME_START_S } from './kserve.ts';
import { liveMigrationExample } from './live-migration.ts';
import { loadingRows, speedupOf } from './loading.ts';
import { DATASETS, PAPER_CLUSTER, PLACEMENTS, SYSTEMS } from './setups.ts';
import { runTasks, type SweepPlan, type SweepRow, sweepTasks } from './sweep.ts';

const FIGURES = ['loading', 'placement', 'systems', 'live-migration'] as const;

function plan(full: boolean): SweepPlan {
  return full
    ? { shape: PAPER_CLUSTER, datasets: DATASETS, rates: [0.05, 0.1, 0.2, 0.4, 0.8, 1.6], requests: 4000, seed: 0 }
    : { shape: PAPER_CLUSTER, datasets: ['GSM8K'], rates: [0.1, 0.2, 0.4, 0.8], requests: 1500, seed: 0 };
}

/** Paper names of the placement policies (Shepherd* is the paper's preemption baseline). */
export const POLICY_LABELS: Readonly<Record<string, string>> = {
  availability: 'Serverless (availability)',
  'locality-wait': 'Locality, wait (ours)',
  preempt: 'Shepherd*',
  'locality-migrate': 'ServerlessLLM (live migration)',
};

const forChart = (rows: readonly SweepRow[], relabel: (v: string) => string): Record<string, unknown>[] => rows.map((r) => ({ ...r, series: relabel(r.variant) }));

/** The loaders were fitted on OPT-6.7B (fleetlab, safetensors) and the pytorch loader on OPT-30B and LLaMA-2-70B. */
const LOADER_FIT = 'loader models fitted on OPT-6.7B (ServerlessLLM and Safetensors, A5000 RAID0) and on the paper\'s OPT-30B / LLaMA-2-70B PyTorch times';

async function loading(out: string, claims: ClaimInput[]): Promise<ReportSection> {
  const rows = loadingRows();
  const title = 'Checkpoint loading time by storage tier and loader (paper testbed (i): 8 × A5000, RAID0 NVMe 12 GB/s)';
  const figure = await writeFigure({ name: 'loading', title, spec: loadingSpec(rows, title), rows }, join(out, 'loading'));
  const smallest = 'OPT-2.7B';
  const largest = 'LLaMA-2-70B';
  const add = (id: keyof typeof SLLM_PAPER, vs: 'safetensors' | 'pytorch', model: string, cls: 'evidence' | 'calibration') =>
    claims.push({
      id,
      figure: 'loading',
      metric: `Load time from SSD, ${vs === 'pytorch' ? 'PyTorch' : 'Safetensors'} / ServerlessLLM, ${model}`,
      unit: 'x',
      ours: speedupOf(rows, model, vs),
      paper: { value: SLLM_PAPER[id] },
      class: cls,
      points: [`${model} SSD`],
      note: cls === 'calibration' ? `the PyTorch loader was fitted to the paper's ${model} load time` : `judged on a size the loaders were not fitted on (${LOADER_FIT})`,
    });
  add('loading.vs_safetensors.smallest', 'safetensors', smallest, 'evidence');
  add('loading.vs_safetensors.largest', 'safetensors', largest, 'evidence');
  add('loading.vs_pytorch.smallest', 'pytorch', smallest, 'evidence');
  add('loading.vs_pytorch.largest', 'pytorch', largest, 'calibration');
  return { heading: title, paragraphs: ['Bars on a log axis: DRAM-resident loads are ~10× shorter than SSD, remote ones ~10× longer.'], figures: [figure] };
}

/** Per (dataset, rate): baseline metric / ours, with the point it came from. */
function ratios(rows: readonly SweepRow[], ours: string, baselines: readonly string[], metric: 'ttft_mean_s' | 'ttft_p99_s'): { value: number; point: string }[] {
  const out: { value: number; point: string }[] = [];
  for (const r of rows) {
    if (!baselines.includes(r.variant)) continue;
    const mine = rows.find((o) => o.variant === ours && o.dataset === r.dataset && o.rate_per_s === r.rate_per_s);
    if (mine !== undefined && mine[metric] > 0) out.push({ value: r[metric] / mine[metric], point: `${r.dataset} ${r.rate_per_s} req/s vs ${r.variant}` });
  }
  return out;
}

type Progress = (label: string) => void;

async function placement(out: string, p: SweepPlan, workers: number, progress: Progress, claims: ClaimInput[]): Promise<ReportSection> {
  const rows = await runTasks(sweepTasks(p, 'placement', PLACEMENTS), workers, (t) => progress(`placement ${t.dataset} ${t.rate_per_s} ${t.variant}`));
  const title = 'Placement policies: TTFT (cold starts included) vs request rate, OPT-6.7B-sized models';
  const figure = await writeFigure({ name: 'placement', title, spec: latencySpec(forChart(rows, (v) => POLICY_LABELS[v] ?? v), title, Object.values(POLICY_LABELS)), rows }, join(out, 'placement'));
  const r = ratios(rows, 'locality-migrate', ['availability', 'preempt'], 'ttft_p99_s');
  const [lo, hi] = rangeOf(r.map((x) => x.value));
  const points = r.map((x) => x.point);
  for (const [id, value, what] of [
    ['placement.p99_vs_shepherd_availability.min', lo, 'smallest'],
    ['placement.p99_vs_shepherd_availability.max', hi, 'largest'],
  ] as const) {
    claims.push({ id, figure: 'placement', metric: `P99 TTFT of Shepherd* and availability placement / live migration, ${what} over rates`, unit: 'x', ours: value, paper: { value: SLLM_PAPER[id] }, class: 'evidence', points });
  }
  const w = ratios(rows, 'locality-migrate', ['locality-wait'], 'ttft_p99_s');
  claims.push({ id: 'placement.p99_vs_locality_wait.max', figure: 'placement', metric: 'P99 TTFT of locality-wait / live migration, largest over rates', unit: 'x', ours: rangeOf(w.map((x) => x.value))[1], paper: undefined, class: 'evidence', points: w.map((x) => x.point), note: 'our ablation: waiting for the local GPU instead of migrating' });
  return { heading: title, paragraphs: [], figures: [figure] };
}

async function systems(out: string, p: SweepPlan, workers: number, progress: Progress, claims: ClaimInput[]): Promise<ReportSection> {
  const rows = await runTasks(sweepTasks(p, 'system', SYSTEMS), workers, (t) => progress(`systems ${t.dataset} ${t.rate_per_s} ${t.variant}`));
  const title = 'End-to-end: TTFT vs request rate, ServerlessLLM vs Ray Serve, Ray Serve with Cache and KServe';
  const figure = await writeFigure({ name: 'systems', title, spec: latencySpec(forChart(rows, (v) => v), title, [...SYSTEMS]), rows }, join(out, 'systems'));
  for (const [id, baseline] of [
    ['e2e.mean_vs_ray_serve.up_to', 'Ray Serve'],
    ['e2e.mean_vs_ray_serve_cache.up_to', 'Ray Serve + Cache'],
  ] as const) {
    const r = ratios(rows, 'ServerlessLLM', [baseline], 'ttft_mean_s');
    claims.push({ id, figure: 'systems', metric: `Mean TTFT of ${baseline} / ServerlessLLM, largest over rates (paper: OPT-6.7B, GSM8K)`, unit: 'x', ours: rangeOf(r.map((x) => x.value))[1], paper: { value: SLLM_PAPER[id] }, class: 'evidence', points: r.map((x) => x.point) });
  }
  const all = ratios(rows, 'ServerlessLLM', ['Ray Serve', 'Ray Serve + Cache', 'KServe'], 'ttft_mean_s');
  claims.push({
    id: 'e2e.mean_vs_baselines.up_to',
    figure: 'systems',
    metric: 'Mean TTFT of the baselines / ServerlessLLM, largest over rates and baselines (paper: up to 200×, with KServe)',
    unit: 'x',
    ours: rangeOf(all.map((x) => x.value))[1],
    paper: { value: SLLM_PAPER['e2e.mean_vs_baselines.up_to'] },
    class: 'evidence',
    points: all.map((x) => x.point),
    note: `KServe's start-up (pod ${KSERVE_POD_START_S} s, runtime ${KSERVE_RUNTIME_START_S} s, a remote download every cold start) from public numbers, not fitted to the paper (artifact/serverlessllm/kserve.ts)`,
  });
  return { heading: title, paragraphs: [], figures: [figure] };
}

function migrationExample(out: string, claims: ClaimInput[]): ReportSection {
  const without = liveMigrationExample({ migration: false });
  const withM = liveMigrationExample({ migration: true });
  mkdirSync(join(out, 'live-migration'), { recursive: true });
  writeFileSync(join(out, 'live-migration', 'log.txt'), `${without.lines.join('\n')}\n\n${withM.lines.join('\n')}\n`);
  const waitWithout = without.finish_s.small - 3;
  const waitWith = withM.finish_s.small - 3;
  claims.push({
    id: 'live-migration-example.small_latency_gain',
    figure: 'live-migration',
    metric: '1.5B request latency without / with live migration (docs two-node example)',
    unit: 'x',
    ours: waitWith > 0 ? waitWithout / waitWith : undefined,
    // The docs say the 1.5B request is served at once and finishes first with migration; no number.
    paper: { direction: 'up' },
    class: 'evidence',
    points: ['two-node example'],
    note: `1.5B latency ${waitWithout.toFixed(2)} s without, ${waitWith.toFixed(2)} s with; with migration the 1.5B ${withM.finish_s.small < withM.finish_s.large ? 'finishes first' : 'does NOT finish first'}`,
  });
  return { heading: 'Two-node live-migration example (ServerlessLLM docs)', paragraphs: [...without.lines, '', ...withM.lines], figures: [] };
}

export const serverlessllmReproduction: Reproduction = {
  paper: 'serverlessllm',
  figures: FIGURES,
  async run(options: ReproduceOptions) {
    const started = Date.now();
    const wanted = (f: string): boolean => options.only.length === 0 || options.only.includes(f);
    const p = plan(options.full);
    const runs = p.datasets.length * p.rates.length * ((wanted('placement') ? PLACEMENTS.length : 0) + (wanted('systems') ? SYSTEMS.length : 0));
    const bar = pointsBar('serverlessllm', runs, options.progress);
    const progress: Progress = (label) => bar.tick(label);
    const inputs: ClaimInput[] = [];
    const sections: ReportSection[] = [];
    const timings: Record<string, number> = {};
    const timed = async (id: string, f: () => Promise<ReportSection> | ReportSection) => {
      const t0 = performance.now();
      sections.push(await f());
      timings[id] = Math.round(performance.now() - t0) / 1e3;
    };
    mkdirSync(options.out, { recursive: true });
    try {
      if (wanted('loading')) await timed('loading', () => loading(options.out, inputs));
      if (wanted('placement')) await timed('placement', () => placement(options.out, p, options.workers, progress, inputs));
      if (wanted('systems')) await timed('systems', () => systems(options.out, p, options.workers, progress, inputs));
      if (wanted('live-migration')) await timed('live-migration', () => migrationExample(options.out, inputs));
    } finally {
      bar.stop();
    }
    const mode = options.full ? 'full' : 'quick';
    const claims = judgeAll(inputs);
    writeClaims(options.out, mode, claims);
    const wall_s = Math.round((Date.now() - started) / 100) / 10;
    writeFileSync(join(options.out, 'timings.json'), `${JSON.stringify({ mode, workers: options.workers, wall_s, figures_s: timings }, null, 2)}\n`);
    sections.unshift({ heading: 'Claims', paragraphs: [`Verdicts: ${verdictCounts(claims)}.`, `Rule: ${RULE_TEXT}`], figures: [], table: claimsReportTable(claims) });
    sections.push({ heading: 'Numbers the paper does not claim', paragraphs: ['Reported apart, never beside a paper number.'], figures: [], table: claimsReportTable(claims, 'not claimed') });
    writeReport(join(options.out, 'report.html'), `ServerlessLLM (OSDI'24) in fleetlab — ${mode} mode`, sections);
    console.log(`wrote ${claims.length} claims (${verdictCounts(claims)}), figures and report.html to ${options.out}/ in ${wall_s} s`);
    for (const c of claims) {
      const paper = c.paper !== null ? `paper ${c.paper.toPrecision(3)}` : c.paper_direction !== null ? `paper: ${c.paper_direction === 'up' ? '> 1' : '< 1'}, no number` : 'not claimed';
      console.log(`${c.verdict.padEnd(13)} ${c.class.padEnd(11)} ${c.id}: ours ${c.ours === null ? 'n/a' : c.ours.toPrecision(3)}, ${paper}${c.ratio === null ? '' : `, ours/paper ${c.ratio.toFixed(2)}`}${c.why === null ? '' : ` — ${c.why}`}`);
    }
  },
};
