// The ranking check at CI size (issue 15 item 4): the `imbalance` scenario, shortened, on a
// 2-instance tiny fleet. Only what survives a loaded 2-core machine is checked: where the
// simulator separates round-robin from INFaaS++ by a wide margin, the real fleet orders them
// the same way; every simulated statistic within a factor of 30 of the real one; the report
// complete. The numbers themselves belong in `npm run bench:fidelity`.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RANKED } from '../../fidelity/ranking.ts';
import { runFidelity } from '../../fidelity/run-fidelity.ts';
import { FIDELITY_SCENARIOS } from '../../fidelity/scenarios.ts';
import { syntheticTrace } from '../../fidelity/workload.ts';
import { PRESETS } from '../../policies/presets.ts';

const dir = mkdtempSync(join(tmpdir(), 'fleetlab-imbalance-'));
process.env['FLEETLAB_CACHE_DIR'] = join(dir, 'cache');
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const scenario = FIDELITY_SCENARIOS.imbalance;
/** Shortened: the scenario's shape and rate, fewer requests. */
const trace = { ...scenario.trace, requests: 24, seed: 0 };

test('the imbalance trace alternates long and short requests, so round-robin on two instances gets every long one on instance 0', (t) => {
  const rows = syntheticTrace(trace);
  const { long } = scenario.trace;
  for (const [i, r] of rows.entries()) {
    const range = i % 2 === 0 ? long : scenario.trace;
    t.true(r.prompt_tokens >= range.prompt_tokens[0] && r.prompt_tokens <= range.prompt_tokens[1], `request ${i} prompt ${r.prompt_tokens}`);
    t.true(r.output_tokens >= range.output_tokens[0] && r.output_tokens <= range.output_tokens[1], `request ${i} output ${r.output_tokens}`);
  }
  // A long request's worst case fits one instance's KV blocks (else it could never run), two do not.
  const worst = long.prompt_tokens[1] + long.output_tokens[1];
  t.true(worst <= scenario.num_kv_blocks * 16 && 2 * worst > scenario.num_kv_blocks * 16);
});

test('imbalance at CI size: where the simulator separates round-robin from INFaaS++ widely, the real fleet orders them alike; errors within a factor of 30; the report is complete', async (t) => {
  const out = join(dir, 'report');
  const report = await runFidelity({
    model: 'tiny', instances: 2, threads: 1, scenario: 'imbalance',
    num_kv_blocks: scenario.num_kv_blocks, block_size_tokens: 16, max_num_batched_tokens: scenario.max_num_batched_tokens, max_num_seqs: scenario.max_num_seqs,
    policies: [{ name: 'round-robin', scheduler: PRESETS['round-robin'] }, { name: 'infaas++', scheduler: PRESETS['infaas++'] }],
    // A short warm-up keeps the CI test short; the bench warms up with the whole trace's length.
    trace, profile: {}, out, warmup_requests: 8,
  });
  const rows = syntheticTrace(trace);
  for (const p of report.policies) {
    // Every requested token arrived, whatever preemptions the memory pressure caused.
    t.deepEqual(report.replays.get(p.policy)!.requests.map((r) => r.output_tokens), rows.map((r) => r.output_tokens), p.policy);
    for (const m of p.metrics) {
      for (const k of ['mean', 'p50', 'p90', 'p99'] as const) {
        t.true(m.real[k] > 0 && m.sim[k] > 0, `${p.policy} ${m.metric} ${k}`);
        // Within a factor of 30 either way: catches a unit slip (×1000) or a missing term, not
        // the calibration's level. Under memory pressure on a shared machine the calibration
        // replay and the test replays can run at very different loads (INFaaS++'s simulated
        // TTFT mean was measured at 12.6× the real one at load 16).
        const ratio = m.sim[k] / m.real[k];
        t.true(ratio > 1 / 30 && ratio < 30, `${p.policy} ${m.metric} ${k}: simulated / real ${ratio}`);
      }
    }
    t.is(p.real_runs.length, 1);
  }
  // Ordering only where the simulator separates the two policies widely (> 2×, either way) AND
  // is in the real fleet's regime for both (simulated within 2× of real): on an idle machine
  // that is round-robin's structural loss (TTFT P99 several times the other's). A calibration
  // replay run at a heavier load than the test replays puts the simulator in saturation while
  // the real fleet is not (seen: simulated 10× real, the simulated order the opposite of the
  // real one); there, and where both saturate and the gap shrinks, nothing is robust (logged).
  const value = (policy: string, metric: string, stat: (typeof RANKED)[number]['stat'], world: 'real' | 'sim'): number =>
    report.policies.find((p) => p.policy === policy)!.metrics.find((m) => m.metric === metric)![world][stat];
  const inRegime = (sim: number, real: number): boolean => sim / real > 0.5 && sim / real < 2;
  let checked = 0;
  for (const { metric, stat } of RANKED) {
    const [rrSim, loadSim] = [value('round-robin', metric, stat, 'sim'), value('infaas++', metric, stat, 'sim')];
    const [rr, load] = [value('round-robin', metric, stat, 'real'), value('infaas++', metric, stat, 'real')];
    if (Math.max(rrSim, loadSim) <= 2 * Math.min(rrSim, loadSim) || !inRegime(rrSim, rr) || !inRegime(loadSim, load)) continue;
    checked++;
    t.is(rr > load, rrSim > loadSim, `${metric} ${stat}: simulated round-robin ${rrSim} s, INFaaS++ ${loadSim} s; real ${rr} s, ${load} s`);
  }
  t.log(`${checked} ranked statistic(s) separated by > 2× in the simulator, within 2× of real, and checked against the real order`);
  // One replay per policy: the report says the noise was not measured and makes no claim.
  t.true(report.ranking.every((r) => r.verdict === 'unmeasured'));
  const md = readFileSync(join(out, 'fidelity.md'), 'utf8');
  t.regex(md, /Scenario: `imbalance`/);
  t.regex(md, /every 2\. request long/);
  t.regex(md, /## round-robin[\s\S]*## infaas\+\+[\s\S]*## Policy ranking/);
  t.regex(md, /noise not measured/);
});
