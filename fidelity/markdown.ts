// fidelity.md: per policy, simulated beside real with the error; where the real latency went
// (dispatch, delivery, the step model on the real batches); whether both worlds rank the
// policies alike.
import type { FidelityOptions, FidelityReport } from './run-fidelity.ts';
import { markdownTable } from './report.ts';

const pct = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %` : 'n/a');

export function fidelityMarkdown(o: FidelityOptions, meta: Record<string, unknown>, report: FidelityReport, scatterSvg: string): string {
  const lines = [
    `# Fidelity: simulated vs real, ${report.requests} requests on ${o.instances} instance(s) of ${o.model}`,
    '',
    `Trace: Poisson ${o.trace.rate_per_s} req/s, prompts ${o.trace.prompt_tokens.join('–')} tokens, outputs ${o.trace.output_tokens.join('–')} tokens, seed ${o.trace.seed}.`,
    `Machine: ${String(meta['cpu'])}, ${String(meta['cores'])} cores; kernel ${String(meta['kernel'])}, ${o.threads} thread(s) per instance.`,
    `Engine: vLLM v1 (budget ${o.max_num_batched_tokens}, ${o.num_kv_blocks} blocks of ${o.block_size_tokens}, prefix caching off).`,
    `Profile: ${String(meta['where'])}. Path around the engines given to the simulator: dispatch ${report.frontend.dispatch_ms.toFixed(3)} ms, delivery ${report.frontend.delivery_ms.toFixed(3)} ms per token (measured during calibration, never on the test replay).`,
    '',
  ];
  for (const p of report.policies) {
    const scheduler = o.policies.find((x) => x.name === p.policy)?.scheduler;
    lines.push(
      `## ${p.policy}`,
      '',
      `Scheduler: \`${JSON.stringify(scheduler)}\``,
      '',
      markdownTable(p.metrics),
      '',
      `| | real | simulated | error |`,
      `|---|---|---|---|`,
      `| throughput (req/s) | ${p.throughput.real_req_per_s.toFixed(3)} | ${p.throughput.sim_req_per_s.toFixed(3)} | ${pct(-p.throughput.rel_error / (1 + p.throughput.rel_error))} |`,
      `| migrations | ${p.migrations.real} | ${p.migrations.sim} | |`,
      `| preemptions | ${p.preemptions.real} | ${p.preemptions.sim} | |`,
      '',
      `Where the real latency went: dispatch ${p.real_path.dispatch_ms.toFixed(3)} ms per request, delivery ${p.real_path.delivery_ms.toFixed(3)} ms per token (means over this replay).`,
      `The step model on the ${p.step_check.steps} steps this replay ran: Σ priced / Σ measured ${pct(p.step_check.total_rel_error)}, median per step ${pct(p.step_check.median_rel_error)}; ` +
        p.step_check.by_kind.filter((k) => k.steps > 0).map((k) => `${k.kind} ${pct(k.total_rel_error)} (${k.steps} steps)`).join(', ') + '.',
      '',
    );
  }
  if (report.ranking.length > 0) {
    lines.push('## Policy ranking (best first)', '', '| metric | stat | real | simulated | same | smallest real gap |', '|---|---|---|---|---|---|');
    for (const r of report.ranking) lines.push(`| ${r.metric} | ${r.stat} | ${r.real.join(' < ')} | ${r.sim.join(' < ')} | ${r.same ? 'yes' : '**no**'} | ${pct(r.real_min_gap)} |`);
    lines.push('', 'A swap between policies whose real values differ by less than the run-to-run noise says little; the last column shows how far apart they were.', '');
  }
  lines.push(
    `![per-request latency, simulated vs real](${scatterSvg})`,
    '',
    'Error = (simulated − real) / real. Per policy: `<policy>/requests.csv` (every request in both worlds, with its real dispatch and delivery time) and `<policy>/steps.csv` (every real step, measured and priced by the profile). The profile: `profile.csv` (+ `profile.json`).',
    '',
  );
  return lines.join('\n');
}
