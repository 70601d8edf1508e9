// fidelity.md: per policy, simulated beside real with the error; where the real latency went
// (dispatch, delivery, the step model on the real batches); whether both worlds rank the
// policies alike.
import type { MigrationControl } from './calibrate-migration.ts';
import type { FidelityOptions, FidelityReport } from './run-fidelity.ts';
import type { Ranking, RankingVerdict } from './ranking.ts';
import { markdownTable, withinRealRange, type MetricComparison, type Stats } from './report.ts';
import { WARMUP_SEED_OFFSET, warmupTrace } from './workload.ts';

const ratio = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(2)}×` : 'n/a');
/** A count, or a mean of counts over the simulated runs. */
const count = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(1));
const pct = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %` : 'n/a');

function traceLine(o: FidelityOptions): string {
  const t = o.trace;
  const arrivals = t.burstiness === undefined || t.burstiness === 1 ? `Poisson ${t.rate_per_s} req/s` : `Gamma (burstiness ${t.burstiness}) ${t.rate_per_s} req/s`;
  const long = t.long === undefined ? '' : `; every ${t.long.every}. request long: prompts ${t.long.prompt_tokens.join('–')}, outputs ${t.long.output_tokens.join('–')} tokens`;
  return `${arrivals}, prompts ${t.prompt_tokens.join('–')} tokens, outputs ${t.output_tokens.join('–')} tokens${long}, seed ${t.seed}`;
}

const VERDICT: Record<RankingVerdict, string> = {
  same: 'same',
  differs: '**differs**',
  unresolved: 'unresolved (within noise)',
  unmeasured: 'noise not measured',
};

function rankingSection(ranking: readonly Ranking[]): string[] {
  const runs = ranking[0]?.real_runs ?? 1;
  const lines = [
    '## Policy ranking (best first)',
    '',
    runs > 1
      ? `Real values are means over ${runs} replays per policy; the noise is the largest spread (max − min) / min of that statistic between replays of one policy. A pair is **resolved** when its real gap exceeds the noise; the verdict judges the simulator on resolved pairs only.`
      : 'One real replay per policy: the run-to-run noise is not measured, so no ranking claim is made (the order is shown; `--real-runs 2` measures the noise).',
    '',
    '| metric | stat | real | simulated | full order alike | noise | resolved pairs (real gap; simulated gap) | verdict |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of ranking) {
    const resolved = r.pairs.filter((p) => p.resolved === true).map((p) => `${p.better} < ${p.worse} (${pct(p.real_gap)}; ${pct(p.sim_gap)})`);
    lines.push(`| ${r.metric} | ${r.stat} | ${r.real.join(' < ')} | ${r.sim.join(' < ')} | ${r.same ? 'yes' : 'no'} | ${Number.isNaN(r.noise) ? 'n/a' : pct(r.noise)} | ${resolved.length === 0 ? '—' : resolved.join(', ')} | ${VERDICT[r.verdict]} |`);
  }
  lines.push('');
  return lines;
}

export function fidelityMarkdown(o: FidelityOptions, meta: Record<string, unknown>, report: FidelityReport, scatterSvg: string): string {
  const lines = [
    `# Fidelity: simulated vs real, ${report.requests} requests on ${o.instances} instance(s) of ${o.model}`,
    '',
    ...(o.scenario === undefined ? [] : [`Scenario: \`${o.scenario}\` (fidelity/scenarios.ts).`]),
    `Trace: ${traceLine(o)}.`,
    `Machine: ${String(meta['cpu'])}, ${String(meta['cores'])} cores; kernel ${String(meta['kernel'])}, ${o.threads} thread(s) per instance.`,
    `Engine: vLLM v1 (budget ${o.max_num_batched_tokens}, ${o.num_kv_blocks} blocks of ${o.block_size_tokens}, prefix caching off).`,
    `Profile: ${String(meta['where'])}. Path around the engines given to the simulator: dispatch ${report.frontend.dispatch_ms.toFixed(3)} ms, delivery ${report.frontend.delivery_ms.toFixed(3)} ms per token (measured during calibration, never on the test replay).`,
    warmupLine(o),
    `Simulated statistics pool ${report.sim_runs} simulated run(s) of the trace (seeds ${o.trace.seed} … ${o.trace.seed + report.sim_runs - 1}; counts are their means); the folders, requests.csv and the scatter are the first run's.`,
    report.contention === undefined
      ? 'Contention model: off (every step priced by the table alone).'
      : `Contention model (cluster.contention, fitted on the calibration replay): a step's price × ${report.contention.step_factors.map((f, k) => `${f.toFixed(3)} with ${k} other instance(s) mid-step as it starts (${report.contention?.steps_per_level[k]} calibration steps)`).join(', ')}.`,
    report.jitter_memory === undefined
      ? 'Jitter memory: off (independent draws).'
      : `Jitter memory (perf.jitter_memory, fitted on the calibration replay): correlation of the step-time draws ${report.jitter_memory.share.toFixed(3)} × ${report.jitter_memory.per_step.toFixed(3)}^k at a lag of k steps.`,
    migrationControlLine(report.migration_control),
    '',
  ];
  for (const p of report.policies) {
    const scheduler = o.policies.find((x) => x.name === p.policy)?.scheduler;
    lines.push(
      `## ${p.policy}`,
      '',
      `Scheduler: \`${JSON.stringify(scheduler)}\``,
      '',
      markdownTable(p.metrics, p.ablations, p.real_runs),
      '',
      ...rangeLine(p.metrics, p.real_runs),
      `| | real | simulated | error |`,
      `|---|---|---|---|`,
      `| throughput (req/s) | ${p.throughput.real_req_per_s.toFixed(3)} | ${p.throughput.sim_req_per_s.toFixed(3)} | ${pct(-p.throughput.rel_error / (1 + p.throughput.rel_error))} |`,
      `| migrations | ${p.migrations.real} | ${count(p.migrations.sim)} | |`,
      `| preemptions | ${p.preemptions.real} | ${count(p.preemptions.sim)} | |`,
      '',
      `Where the real latency went: dispatch ${p.real_path.dispatch_ms.toFixed(3)} ms per request, delivery ${p.real_path.delivery_ms.toFixed(3)} ms per token (means over this replay).`,
      `The step model on the ${p.step_check.steps} steps this replay ran: Σ priced / Σ measured ${pct(p.step_check.total_rel_error)}, median per step ${pct(p.step_check.median_rel_error)}; ` +
        p.step_check.by_kind.filter((k) => k.steps > 0).map((k) => `${k.kind} ${pct(k.total_rel_error)} (${k.steps} steps)`).join(', ') + '.',
      `Contention, measured ÷ priced${report.contention === undefined ? '' : ' (the contention factor included)'}, by other instances mid-step as a step starts (the model's condition): ` +
        p.contention.by_level.map((g) => `${g.others}: ${ratio(g.measured_over_priced)} (${g.steps} steps)`).join(', ') +
        `; by overlap (biased: a slow step overlaps more): another instance stepping for most of the step ${ratio(p.contention.concurrent.measured_over_priced)} (${p.contention.concurrent.steps} steps), the others ${ratio(p.contention.alone.measured_over_priced)} (${p.contention.alone.steps} steps).`,
      '',
    );
  }
  if (report.ranking.length > 0) lines.push(...rankingSection(report.ranking));
  if (report.notes.length > 0) lines.push('## Notes', '', ...report.notes.map((n) => `- ${n}`), '');
  lines.push(
    `![per-request latency, simulated vs real](${scatterSvg})`,
    '',
    'Error = (simulated − real) / real. Per policy: `<policy>/requests.csv` (every request in both worlds, with its real dispatch and delivery time) and `<policy>/steps.csv` (every real step, measured and priced by the profile). The profile: `profile.csv` (+ `profile.json`).',
    '',
  );
  return lines.join('\n');
}

function warmupLine(o: FidelityOptions): string {
  const n = warmupTrace(o.trace, o.warmup_requests).length;
  if (n === 0) return 'Warm-up: none (every real replay, the calibration included, started on a fresh fleet).';
  return `Warm-up: every fresh fleet (the calibration's included) first replayed ${n} unmeasured requests of the same distribution (seed ${o.trace.seed + WARMUP_SEED_OFFSET}).`;
}

function migrationControlLine(m: MigrationControl | undefined): string {
  if (m === undefined) return 'Migration control time: not measured (no migration forced during calibration); the first stage starts at the decision.';
  if (m.measured === 0) return `Migration control time: not measured (none of ${m.tried} forced migration(s) committed or was refused at PRE-ALLOC during calibration); the first stage starts at the decision.`;
  const range = (xs: readonly number[]): string => (xs.length === 0 ? 'none' : `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)} ms`);
  const committed = m.samples.filter((x) => x.outcome === 'committed');
  const refused = m.samples.filter((x) => x.outcome !== 'committed');
  return `Migration control time (migration.control_ms, fitted on ${m.measured} of ${m.tried} migrations forced during the calibration replay): ${m.control_ms.toFixed(2)} ms before the first stage; ${committed.length} committed in ${range(committed.map((x) => x.measured_ms))} (the KV transfer line prices ${range(committed.map((x) => x.line_ms))} of it), ${refused.length} refused at PRE-ALLOC in ${range(refused.map((x) => x.measured_ms))}.`;
}

function rangeLine(metrics: readonly MetricComparison[], realRuns: readonly Record<string, Stats>[]): string[] {
  const r = withinRealRange(metrics, realRuns);
  if (r === undefined) return [];
  return [`The simulated value lies within the range of the ${realRuns.length} real replays for ${r.within} of ${r.of} statistics.`, ''];
}
