// The loop no other serving simulator closes: profile the real fleet, replay one trace on the
// real fleet and in the simulator (same instances, same scheduler, the measured step times and
// the measured path around the engines) for each policy, and report the error per metric, the
// step model's own error on the real batches, and whether both worlds rank the policies alike.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Fleet } from '../backend/manager/fleet.ts';
import { readModelFolder, resolveModelDir } from '../backend/model/index.ts';
import { JITTER_FILE, writeProfileFolder } from '../backend/profile/profile-folder.ts';
import type { GridOptions } from '../backend/profile/profile-grid.ts';
import { profileKvTransfer } from '../backend/profile/profile-kv.ts';
import { RecordCollector, TokenGaps, writeResults } from '../metrics/index.ts';
import type { SchedulerSpecInput } from '../policies/index.ts';
import { tablePerfModel } from '../sim/perf/index.ts';
import type { JitterMemory } from '../sim/perf/step-jitter.ts';
import { fitMigrationControl, type MigrationControl } from './calibrate-migration.ts';
import type { FittedContention } from './calibrate-replay.ts';
import { gridProfile, replayProfile } from './calibrate.ts';
import { measureContention, type Contention } from './contention.ts';
import { CALIBRATION_SEED_OFFSET, calibrationReplay, startWarmFleet, type CalibrationRun } from './fleet-replays.ts';
import { fidelityMarkdown } from './markdown.ts';
import { rankPolicies, type Ranking } from './ranking.ts';
import { replayOnFleet, type Replay, type RequestTiming } from './real-run.ts';
import { compare, compareStats, stats, type MetricComparison, type Stats } from './report.ts';
import { scatterFigure, type ScatterPoint } from './scatter.ts';
import { simulateTrace, type SimOutcome, type SimSide } from './sim-run.ts';
import { checkSteps, priceSteps, type StepCheck } from './step-check.ts';
import { othersSteppingAtStart } from './step-overlap.ts';
import { syntheticTrace, traceCsv, type SyntheticTrace } from './workload.ts';

export interface PolicyUnderTest {
  /** A name for reports and folders (e.g. a preset name). */
  readonly name: string;
  readonly scheduler: SchedulerSpecInput;
}

export interface FidelityOptions {
  readonly model: string;
  readonly instances: number;
  /** Replayed one after the other on the same trace and profile. */
  readonly policies: readonly PolicyUnderTest[];
  readonly num_kv_blocks: number;
  readonly block_size_tokens: number;
  readonly max_num_batched_tokens: number;
  readonly max_num_seqs: number;
  readonly threads: number;
  readonly trace: SyntheticTrace;
  /** Profiling grid and repeats (the profile is measured first, in this run). */
  readonly profile: Partial<GridOptions>;
  /**
   * replay (default): replay a calibration trace (same distribution, seed + 1000) on the real
   * fleet and build the step table, dispatch and delivery latency from what it ran (calibration
   * in place; the test trace is never used); fleet: the profiling grid on every instance process
   * at once; engine: the grid on one engine alone, no path around it (the naive loop).
   */
  readonly calibration?: 'replay' | 'fleet' | 'engine';
  readonly out: string;
  /** Also write steps.csv into each policy's real/ and sim/ results folders (the real one from the engines' step reports). */
  readonly steps?: boolean;
  /** Also write trace.json (Chrome/Perfetto) into both results folders. */
  readonly trace_json?: boolean;
  /**
   * Real replays per policy (default 1). From 2, every policy is replayed again, in rounds (all
   * policies, then all again, so a drifting machine slows each alike), and the ranking makes a
   * claim only where the real gap exceeds the spread between replays of one policy. The
   * per-request report and folders are the first replay's.
   */
  readonly real_runs?: number;
  /** The named scenario these options came from, for the report (fidelity/scenarios.ts). */
  readonly scenario?: string;
  /**
   * Fit the contention model on the calibration replay and simulate with it (default true;
   * replay calibration only): a step's price times a factor per number of other instances
   * mid-step when it starts (cluster.contention). The report also gives each metric's error
   * without it. False: steps priced by the table alone.
   */
  readonly contention?: boolean;
  /**
   * Fit how the step-time jitter persists from step to step on the calibration replay and
   * simulate with it (default true; replay calibration only; perf.jitter_memory). The report
   * also gives each metric's error without it. False: independent draws.
   */
  readonly jitter_memory?: boolean;
  /**
   * Simulated runs per policy (default 8), seeds seed … seed + n − 1, whose requests are pooled
   * for the statistics: with step-time jitter one run is one random draw. The results folder,
   * per-request CSV and scatter are the first run's.
   */
  readonly sim_runs?: number;
  /**
   * Requests of a warm-up trace (the trace's distribution, seed + 2000) replayed, unmeasured, on
   * every fresh fleet before its measured replay (default: as many as the trace; 0: none). A
   * fresh fleet's first seconds run the same step shapes up to 1.5× slower than later (measured:
   * bs-1 decode forward passes 1.0 ms in the first second of a replay, 0.44 ms from the fourth),
   * which a table of steady-state steps cannot price; the simulator models a warm fleet.
   */
  readonly warmup_requests?: number;
  /**
   * Migrations forced during each calibration replay (replay calibration, 2+ instances; default
   * 10, 0: none), spread over its span: what they take beyond the KV transfer line is the
   * simulator's `migration.control_ms` (fidelity/calibrate-migration.ts).
   */
  readonly calibration_migrations?: number;
  /**
   * Calibration replays (replay calibration): 2 (default) replays the calibration trace before
   * the test replays and again after them and pools both, so the table sees the machine as it
   * was over the whole run rather than at its start; 1 only before.
   */
  readonly calibration_replays?: 1 | 2;
}

/** Fields of real/summary.json a client replay cannot observe per request (they are 0). */
export const REAL_NOT_MEASURED = ['execution_s', 'preemption_loss_s', 'preemption_stall_s', 'preemptions', 'preempted_requests', 'events', 'instance_id', 'first_scheduled_s'] as const;

export interface Frontend {
  readonly dispatch_ms: number;
  readonly delivery_ms: number;
}

export interface PolicyFidelity {
  readonly policy: string;
  readonly metrics: readonly MetricComparison[];
  readonly throughput: { readonly real_req_per_s: number; readonly sim_req_per_s: number; readonly rel_error: number };
  readonly migrations: { readonly real: number; readonly sim: number };
  readonly preemptions: { readonly real: number; readonly sim: number };
  /** Means over the replay's requests, milliseconds: where the real latency went. */
  readonly real_path: { readonly dispatch_ms: number; readonly delivery_ms: number };
  readonly step_check: StepCheck;
  /** The replay's steps split by whether another instance stepped alongside, measured against the table. */
  readonly contention: Contention;
  /** The real TTFT, TPOT and E2E statistics of every replay of this policy, the first one's first. */
  readonly real_runs: readonly Record<string, Stats>[];
  /** The same comparison with one fitted term of the shared-machine model off at a time (ablations). */
  readonly ablations: readonly Ablation[];
}

export interface FidelityReport {
  readonly policies: readonly PolicyFidelity[];
  readonly ranking: readonly Ranking[];
  readonly frontend: Frontend;
  /** The contention model the simulator used (absent: none). */
  readonly contention?: FittedContention;
  /** The memory of the jitter draws the simulator used (absent: independent draws). */
  readonly jitter_memory?: JitterMemory;
  /** The migration control time fitted on the calibration's forced migrations (absent: none forced). */
  readonly migration_control?: MigrationControl;
  readonly requests: number;
  /** Simulated runs pooled per policy. */
  readonly sim_runs: number;
  readonly out: string;
  /** The real replays, by policy name (every token's timing). */
  readonly replays: ReadonlyMap<string, Replay>;
  /** What went wrong without failing the run (a noise replay that got stuck). */
  readonly notes: readonly string[];
}

const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

/** The real statistics the ranking compares, from one replay (TPOT over requests of more than one token). */
function realStats(r: Replay): Record<string, Stats> {
  const q = r.requests;
  return {
    TTFT: stats(q.map((x) => x.ttft_s)), TPOT: stats(q.filter((x) => x.output_tokens > 1).map((x) => x.tpot_s)),
    ITL: stats(q.flatMap((x) => x.itl_s)), E2E: stats(q.map((x) => x.e2e_s)),
  };
}

export interface Ablation {
  /** The term turned off: 'contention' or 'jitter memory'. */
  readonly without: string;
  readonly metrics: readonly MetricComparison[];
}

/**
 * TTFT, TPOT (requests of more than one token), ITL (every gap between two tokens of a request,
 * vLLM's) and E2E, simulated against real; the simulated statistics over the requests (and
 * token gaps) of every simulated run pooled (each run is the whole trace).
 */
function compareLatencies(policy: string, r: readonly RequestTiming[], runs: readonly SimOutcome[]): MetricComparison[] {
  for (const run of runs) {
    if (run.requests.length !== r.length) throw new Error(`${policy}: the simulator finished ${run.requests.length} of ${r.length} requests; every request must finish in both worlds`);
  }
  const s = runs.flatMap((run) => run.requests);
  return [
    compare('TTFT', r.map((x) => x.ttft_s), s.map((x) => x.prefill_latency_s)),
    compare('TPOT', r.filter((x) => x.output_tokens > 1).map((x) => x.tpot_s), s.filter((x) => x.output_tokens > 1).map((x) => x.decode_latency_s)),
    compareStats('ITL', stats(r.flatMap((x) => x.itl_s)), pooledGapStats(runs)),
    compare('E2E', r.map((x) => x.e2e_s), s.map((x) => x.request_latency_s)),
  ];
}

/** The simulated runs' token gaps pooled (a sketch: percentiles within ±0.1 %), in seconds. */
function pooledGapStats(runs: readonly SimOutcome[]): Stats {
  const pooled = new TokenGaps();
  for (const run of runs) pooled.merge(run.token_gaps);
  if (pooled.count === 0) return stats([]);
  return { mean: pooled.mean / 1e3, p50: pooled.quantile(0.5) / 1e3, p90: pooled.quantile(0.9) / 1e3, p99: pooled.quantile(0.99) / 1e3 };
}

export async function runFidelity(o: FidelityOptions, log: (line: string) => void = () => {}): Promise<FidelityReport> {
  if (o.policies.length === 0) throw new Error('fidelity: policies is empty; expected at least one policy to replay');
  const names = new Set(o.policies.map((p) => p.name));
  if (names.size !== o.policies.length) throw new Error(`fidelity: policy names must be distinct; got ${o.policies.map((p) => p.name).join(', ')}`);
  const realRuns = o.real_runs ?? 1;
  if (o.sim_runs !== undefined && (!Number.isInteger(o.sim_runs) || o.sim_runs < 1)) throw new Error(`fidelity: sim_runs must be an integer >= 1 (simulated runs per policy, pooled), received ${o.sim_runs}`);
  if (!Number.isInteger(realRuns) || realRuns < 1) throw new Error(`fidelity: real_runs must be an integer >= 1 (real replays per policy), received ${realRuns}`);
  const calibrationReplays = o.calibration_replays ?? 2;
  if (calibrationReplays !== 1 && calibrationReplays !== 2) throw new Error(`fidelity: calibration_replays must be 1 (before the test replays) or 2 (before and after), received ${String(calibrationReplays)}`);
  const out = path.resolve(o.out);
  await mkdir(out, { recursive: true });
  const { arch } = await readModelFolder(await resolveModelDir(o.model));
  const rows = syntheticTrace(o.trace);
  const tracePath = path.join(out, 'trace.csv');
  await writeFile(tracePath, traceCsv(rows));
  const byReplay = (o.calibration ?? 'replay') === 'replay';
  const calibrations: CalibrationRun[] = [];
  const grid = byReplay ? undefined : await gridProfile(o, log);
  const calibrate = async (when: string): Promise<void> => {
    log(`calibrating (${when}): replaying the calibration trace (seed ${o.trace.seed + CALIBRATION_SEED_OFFSET}) on ${o.instances} real instance(s) …`);
    calibrations.push(await calibrationReplay(o, arch.vocab_size));
  };
  if (byReplay) await calibrate('before the test replays');

  // Every real replay first (each policy's first, then the noise rounds), the simulations after:
  // the calibration that prices them may come after the test replays.
  const folders = { steps: o.steps === true, traceJson: o.trace_json === true, overwrite: true };
  const keepSteps = folders.steps || folders.traceJson;
  const replays = new Map<string, Replay>();
  /** Per policy (in order), the real statistics of each replay. */
  const realRunStats: Record<string, Stats>[][] = [];
  for (const policy of o.policies) {
    log(`${policy.name}: replaying ${rows.length} requests on ${o.instances} real instance(s) …`);
    const fleet = await startWarmFleet(o, policy.scheduler, arch.vocab_size);
    const collector = new RecordCollector({ keepSteps });
    const realConfig = { kind: 'fidelity-real', model: o.model, instances: o.instances, scheduler: policy.scheduler, trace: o.trace, seed: o.trace.seed };
    collector.runStarted({ name: `fidelity-real-${policy.name}`, system: `real:${o.model}`, seed: o.trace.seed, config: realConfig });
    let real: Replay;
    try {
      real = await replayOnFleet(fleet, rows, o.trace.seed, arch.vocab_size, collector);
    } finally {
      await fleet.stop();
    }
    replays.set(policy.name, real);
    realRunStats.push([realStats(real)]);
    // Both worlds as fleetlab results folders, written through the same records (`fleetlab compare real sim`).
    // A fixed fleet: its size is known, not sampled.
    collector.runEnded({ end_s: real.makespan_s, events: 0, avg_instances: o.instances, avg_instances_record_weighted: o.instances, not_measured: REAL_NOT_MEASURED });
    writeResults(collector.records(), path.join(out, policy.name, 'real'), folders);
  }
  const notes: string[] = [];
  rounds: for (let round = 2; round <= realRuns; round++) {
    for (const [i, policy] of o.policies.entries()) {
      log(`${policy.name}: real replay ${round} of ${realRuns} (run-to-run noise) …`);
      let fleet: Fleet | undefined;
      try {
        fleet = await startWarmFleet(o, policy.scheduler, arch.vocab_size);
        const again = await replayOnFleet(fleet, rows, o.trace.seed, arch.vocab_size);
        realRunStats[i]?.push(realStats(again));
      } catch (error) {
        // A failed noise replay must not lose the report: the round is dropped for every policy
        // (the noise needs the same count of replays each) and the report says why.
        const note = `real replay ${round} of ${policy.name} failed (${(error as Error).message}); the noise is measured over ${round - 1} replay(s) per policy`;
        log(note);
        notes.push(note);
        for (const runs of realRunStats) runs.length = round - 1;
        break rounds;
      } finally {
        await fleet?.stop();
      }
    }
  }
  if (byReplay && calibrationReplays === 2) await calibrate('after the test replays');

  const { profile, frontend, jitter_ratios, jitter_memory, contention, migrations: forcedMigrations } = grid ?? replayProfile(o, arch, calibrations, log);
  const factors = contention?.step_factors;
  log('profiling the KV transfer path (migration stages) …');
  const kv = await profileKvTransfer(arch, { block_size_tokens: o.block_size_tokens });
  const migrationControl = forcedMigrations === undefined ? undefined : fitMigrationControl(forcedMigrations, kv);
  if (migrationControl !== undefined) log(`migration control time: ${migrationControl.control_ms.toFixed(2)} ms beyond the transfer line (measured on ${migrationControl.measured} of ${migrationControl.tried} forced migrations)`);
  const migration = { bandwidth_gbps: kv.bandwidth_gbps, stage_overhead_ms: kv.stage_overhead_ms, ...(migrationControl === undefined || migrationControl.measured === 0 ? {} : { control_ms: migrationControl.control_ms }) };
  const { csv: profilePath } = await writeProfileFolder(out, profile, { kv_transfer: kv, frontend, ...(migration.control_ms === undefined ? {} : { migration_control_ms: migration.control_ms }), ...(jitter_ratios === undefined ? {} : { jitter_ratios }), ...(jitter_memory === undefined ? {} : { jitter_memory }), ...(contention === undefined ? {} : { contention }) });
  const jitterPath = jitter_ratios === undefined ? undefined : path.join(out, JITTER_FILE);
  // Without jitter every simulated run is the same run: one is enough.
  const simRuns = jitterPath === undefined ? 1 : (o.sim_runs ?? 8);
  const perf = tablePerfModel('profile', profilePath);

  const results: PolicyFidelity[] = [];
  const scatter: ScatterPoint[] = [];
  for (const [index, policy] of o.policies.entries()) {
    const real = replays.get(policy.name) as Replay;
    const dir = path.join(out, policy.name);
    log(`${policy.name}: simulating the same trace with the measured profile …`);
    const side: SimSide = {
      instances: o.instances, num_kv_blocks: o.num_kv_blocks, block_size_tokens: o.block_size_tokens,
      max_num_batched_tokens: o.max_num_batched_tokens, max_num_seqs: o.max_num_seqs, enable_prefix_caching: false,
      scheduler: policy.scheduler, requests: rows.length, trace_csv: tracePath, profile_csv: profilePath, seed: o.trace.seed, frontend, migration, ...(jitterPath === undefined ? {} : { jitter_csv: jitterPath }),
      kv: { layers: arch.num_hidden_layers, kv_heads: arch.num_key_value_heads, head_dim: arch.head_dim, dtype_bytes: 4 },
    };
    const contentionPart = factors === undefined ? {} : { contention: factors };
    const memoryPart = jitter_memory === undefined || jitterPath === undefined ? {} : { jitter_memory };
    const sim: SimOutcome = simulateTrace({ ...side, ...contentionPart, ...memoryPart }, { keepSteps });
    writeResults(sim.records, path.join(dir, 'sim'), folders);
    // A simulation with jitter is one draw of a random run: the statistics pool `simRuns` runs
    // (seeds seed … seed + simRuns − 1), so one unlucky spell does not decide the error.
    const replicas = (extra: Partial<SimSide>): SimOutcome[] => Array.from({ length: simRuns - 1 }, (_, i) => simulateTrace({ ...side, ...extra, seed: o.trace.seed + i + 1 }));
    const sims = [sim, ...replicas({ ...contentionPart, ...memoryPart })];
    const r = real.requests;
    const s = sim.requests;
    const metrics = compareLatencies(policy.name, r, sims);
    // The ablations: the same simulation with one fitted term off, to show what each changes.
    const ablations: Ablation[] = [];
    const ablation = (extra: Partial<SimSide>): MetricComparison[] => compareLatencies(policy.name, r, [simulateTrace({ ...side, ...extra }), ...replicas(extra)]);
    if (factors !== undefined) ablations.push({ without: 'contention', metrics: ablation(memoryPart) });
    if ('jitter_memory' in memoryPart) ablations.push({ without: 'jitter memory', metrics: ablation(contentionPart) });
    // Only a policy that migrates by itself can be changed by the migration's control time.
    if (migration.control_ms !== undefined && policy.scheduler.pairing !== undefined) {
      const { control_ms: _, ...withoutControl } = migration;
      ablations.push({ without: 'migration control', metrics: ablation({ ...contentionPart, ...memoryPart, migration: withoutControl }) });
    }
    const simMakespan = mean(sims.map((run) => Math.max(...run.requests.map((x) => x.finish_s))));
    results.push({
      policy: policy.name, metrics,
      throughput: { real_req_per_s: rows.length / real.makespan_s, sim_req_per_s: rows.length / simMakespan, rel_error: real.makespan_s / simMakespan - 1 },
      migrations: { real: real.migrations, sim: mean(sims.map((run) => run.migrations)) },
      preemptions: { real: real.preemptions, sim: mean(sims.map((run) => run.preemptions)) },
      real_path: { dispatch_ms: mean(r.map((x) => x.dispatch_s)) * 1e3, delivery_ms: mean(r.map((x) => x.delivery_s)) * 1e3 },
      step_check: checkSteps(perf, real.steps, factors),
      contention: measureContention(perf, real.steps, factors),
      real_runs: realRunStats[index] as Record<string, Stats>[],
      ablations,
    });

    const perRequest = ['index,real_ttft_s,sim_ttft_s,real_tpot_s,sim_tpot_s,real_e2e_s,sim_e2e_s,real_dispatch_s,real_delivery_s'];
    for (const [i, x] of r.entries()) {
      const y = s[i]!;
      perRequest.push([i, x.ttft_s, y.prefill_latency_s, x.tpot_s, y.decode_latency_s, x.e2e_s, y.request_latency_s, x.dispatch_s, x.delivery_s].map((v) => (Number.isInteger(v) ? String(v) : v.toFixed(6))).join(','));
      scatter.push({ policy: policy.name, request: i, metric: 'TTFT', real_ms: x.ttft_s * 1e3, sim_ms: y.prefill_latency_s * 1e3 });
      scatter.push({ policy: policy.name, request: i, metric: 'E2E', real_ms: x.e2e_s * 1e3, sim_ms: y.request_latency_s * 1e3 });
    }
    await writeFile(path.join(dir, 'requests.csv'), `${perRequest.join('\n')}\n`);
    const stepRows = ['instance,step,started_unix_ms,prefill_seqs,prefill_tokens,decode_seqs,decode_context_tokens,preempted,others_stepping,forward_ms,step_ms,priced_ms'];
    const prices = priceSteps(perf, real.steps, factors);
    const others = othersSteppingAtStart(real.steps);
    for (const [i, st] of real.steps.entries()) {
      stepRows.push([st.instance, st.step, st.started_unix_ms.toFixed(3), st.prefill_seqs, st.prefill_tokens, st.decode_seqs, st.decode_context_tokens, st.preempted, others[i], st.forward_ms.toFixed(4), st.step_ms.toFixed(4), prices[i]!.toFixed(4)].join(','));
    }
    await writeFile(path.join(dir, 'steps.csv'), `${stepRows.join('\n')}\n`);
  }

  const ranking = o.policies.length > 1 ? rankPolicies(results) : [];
  const figure = await scatterFigure(scatter, out);
  const report: FidelityReport = { policies: results, ranking, frontend, ...(contention === undefined ? {} : { contention }), ...(jitter_memory === undefined ? {} : { jitter_memory }), ...(migrationControl === undefined ? {} : { migration_control: migrationControl }), requests: rows.length, sim_runs: simRuns, out, replays, notes };
  await writeFile(path.join(out, 'fidelity.json'), `${JSON.stringify({ policies: results, ranking, frontend, contention, jitter_memory, migration_control: migrationControl, requests: rows.length, sim_runs: simRuns, options: o, notes }, null, 2)}\n`);
  await writeFile(path.join(out, 'fidelity.md'), fidelityMarkdown(o, profile.meta, report, path.basename(figure.files.svg)));
  return report;
}
