/**
 * `fleetlab profile` measures the real engine's step times into a table the simulator reads;
 * `fleetlab fidelity` replays one trace on the real fleet and in the simulator (with a profile
 * measured in the same run) and reports the error per metric.
 */
import { type Command, InvalidArgumentError } from '@commander-js/extra-typings';
import { nonNegative, positive } from './arg-parsers.ts';
import { DEFAULT_GRID, profileEngine, profileStartup } from '../backend/profile/profile-engine.ts';
import { profileFleet } from '../backend/profile/profile-fleet.ts';
import { writeProfileFolder } from '../backend/profile/profile-folder.ts';
import { profileKvTransfer } from '../backend/profile/profile-kv.ts';
import type { ModelArch } from '../backend/model/arch.ts';
import { runFidelity } from '../fidelity/run-fidelity.ts';
import { PRESET_NAMES, PRESETS, type PresetName } from '../policies/presets.ts';
import { markdownTable, withinRealRange } from '../fidelity/report.ts';
import { FIDELITY_SCENARIO_NAMES, FIDELITY_SCENARIOS, type FidelityScenario, type FidelityScenarioName } from '../fidelity/scenarios.ts';

const rate = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a rate > 0 (requests per second), received "${value}"`);
  return n;
};
const range = (value: string): [number, number] => {
  const m = /^(\d+)-(\d+)$/.exec(value);
  if (m === null || Number(m[1]) < 1 || Number(m[2]) < Number(m[1])) throw new InvalidArgumentError(`expected MIN-MAX tokens with 1 <= MIN <= MAX, received "${value}"`);
  return [Number(m[1]), Number(m[2])];
};
const list = (value: string): number[] => value.split(',').map((v) => positive(v.trim()));
const presetList = (value: string): PresetName[] =>
  value.split(',').map((v) => {
    const name = v.trim();
    if (!(PRESET_NAMES as string[]).includes(name)) throw new InvalidArgumentError(`unknown policy "${name}"; expected scheduler presets from: ${PRESET_NAMES.join(', ')}`);
    return name as PresetName;
  });
const scenarioName = (value: string): FidelityScenarioName => {
  if (!(FIDELITY_SCENARIO_NAMES as string[]).includes(value)) throw new InvalidArgumentError(`unknown scenario "${value}"; expected one of ${FIDELITY_SCENARIO_NAMES.join(', ')}`);
  return value as FidelityScenarioName;
};
const deviceKind = (value: string): 'cpu' => {
  if (value === 'cuda') throw new InvalidArgumentError('cuda: the CUDA model runner is compiled but has not been verified on a GPU yet (docs/model-runner.md); profile on cpu');
  if (value !== 'cpu') throw new InvalidArgumentError(`expected cpu or cuda, received "${value}"`);
  return value;
};
const calibrationKind = (value: string): 'replay' | 'fleet' | 'engine' => {
  if (value !== 'replay' && value !== 'fleet' && value !== 'engine') throw new InvalidArgumentError(`expected replay, fleet or engine, received "${value}"`);
  return value;
};
const calibrationReplays = (value: string): 1 | 2 => {
  if (value !== '1' && value !== '2') throw new InvalidArgumentError(`expected 1 (before the test replays) or 2 (before and after), received "${value}"`);
  return Number(value) as 1 | 2;
};

export function registerFidelityCommands(program: Command): void {
  program
    .command('profile')
    .description("measure the real engine's step times (prefill by prompt tokens, decode by batch and context), the path around it, KV transfer and start-up into a profile folder the simulator reads")
    .requiredOption('-m, --model <dir>', 'model folder or tiny preset')
    .option('-o, --out <dir>', 'profile folder (profile.csv, profile.json, simulator.json)', 'results/profile')
    .option('--device <kind>', 'where the model runs: cpu (cuda: not available until the CUDA runner is verified on a GPU)', deviceKind, 'cpu' as const)
    .option('--instances <n>', '1: one engine in this process; N > 1: N instance processes stepping at once, as a fleet of N serves', positive, 1)
    .option('--threads <n>', 'compute threads per engine', positive, 1)
    .option('--repeats <n>', 'measurements per point (median kept, p10/p90 beside)', positive, 5)
    .option('--prefill <tokens,...>', 'prompt lengths', list, [...DEFAULT_GRID.prefill_tokens])
    .option('--batches <n,...>', 'decode batch sizes', list, [...DEFAULT_GRID.decode_batch_sizes])
    .option('--contexts <tokens,...>', 'decode context tokens per sequence', list, [...DEFAULT_GRID.decode_context_tokens])
    .action(async (opts) => {
      const grid = { model: opts.model, threads: opts.threads, repeats: opts.repeats, prefill_tokens: opts.prefill, decode_batch_sizes: opts.batches, decode_context_tokens: opts.contexts };
      const progress = (done: number, total: number): void => void process.stderr.write(`\rprofiling steps: ${done}/${total} points`);
      const result = opts.instances > 1 ? await profileFleet({ ...grid, instances: opts.instances }, progress) : await profileEngine(grid, progress);
      process.stderr.write('\nprofiling KV transfer and start-up …\n');
      const kv_transfer = await profileKvTransfer(result.meta['arch'] as ModelArch, { block_size_tokens: 16 });
      const startup_s = await profileStartup(opts.model, { threads: opts.threads });
      const folder = await writeProfileFolder(opts.out, result, { kv_transfer, startup_s });
      console.log(`wrote ${folder.dir}: profile.csv, profile.json, simulator.json`);
      console.log(`merge simulator.json into a run config (its model.perf reads profile.csv beside it): ${JSON.stringify(folder.simulator)}`);
    });

  program
    .command('fidelity')
    .description('profile the real fleet, replay one trace on it and in the simulator for each policy, and report the error per metric and the policy ranking')
    .option('-m, --model <dir>', 'model folder or tiny preset', 'tiny')
    .option('--instances <n>', 'instance processes', positive, 2)
    .option('--policies <names>', `scheduler presets, comma-separated (${PRESET_NAMES.join(', ')})`, presetList, ['round-robin', 'infaas++', 'llumnix'] as PresetName[])
    .option('--calibration <kind>', 'replay: step table, dispatch and delivery from a calibration replay (another seed) on the fleet; fleet: the profiling grid on every instance at once; engine: the grid on one engine alone, no path around it', calibrationKind, 'replay' as const)
    .option('--scenario <name>', `trace and engine limits (${FIDELITY_SCENARIO_NAMES.join(', ')}); the options below override its values`, scenarioName, 'default' as FidelityScenarioName)
    .option('-n, --num-prompts <n>', 'requests (scenario default: 60)', positive)
    .option('--request-rate <r>', 'arrivals, requests per second (default: 4; imbalance: 8)', rate)
    .option('--burstiness <k>', 'Gamma shape of the gaps between arrivals: 1 Poisson, < 1 burstier', rate)
    .option('--prompt-tokens <min-max>', 'prompt lengths, uniform (default: 16-256)', range)
    .option('--output-tokens <min-max>', 'output lengths, uniform (default: 8-64)', range)
    .option('--kv-blocks <n>', 'KV blocks of 16 tokens per instance (default: 1024; imbalance: 48)', positive)
    .option('--real-runs <n>', 'real replays per policy; from 2 the ranking claims only gaps above the run-to-run noise (default: 1; imbalance: 3)', positive)
    .option('--warmup <n>', 'requests of a warm-up trace (same distribution, seed + 2000) replayed unmeasured on every fresh fleet before its measured replay; 0: none (default: as many as the trace)', nonNegative)
    .option('--calibration-migrations <n>', 'migrations forced during the calibration replay; what they take beyond the KV transfer line is the simulated migration.control_ms (0: none; default: 10)', nonNegative)
    .option('--calibration-replays <n>', 'replay calibration: 2 replays the calibration trace before and after the test replays and pools both (the machine over the whole run); 1 only before (default: 2)', calibrationReplays)
    .option('--seed <n>', 'seed of the trace', nonNegative, 0)
    .option('--sim-runs <n>', 'simulated runs per policy (seeds seed, seed + 1, …), pooled for the statistics: with step-time jitter one run is one random draw', positive, 8)
    .option('--threads <n>', 'compute threads per instance', positive, 1)
    .option('--repeats <n>', 'profile measurements per point', positive, 3)
    .option('-o, --out <dir>', 'report folder', 'results/fidelity')
    .option('--steps', "also write steps.csv into each policy's real/ and sim/ results folders (the real one from the engines' step reports)", false)
    .option('--trace-json', 'also write trace.json (Chrome/Perfetto) into real/ and sim/', false)
    .option('--no-contention', 'price every step by the table alone (default: fit a step-time factor per number of instances stepping at once on the calibration replay; the report gives the error both ways)')
    .option('--no-jitter-memory', 'independent step-time jitter draws (default: fit how slow steps persist from step to step on the calibration replay; the report gives the error both ways)')
    .action(async (opts) => {
      const scenario: FidelityScenario = FIDELITY_SCENARIOS[opts.scenario];
      const t = scenario.trace;
      const burstiness = opts.burstiness ?? t.burstiness;
      const report = await runFidelity(
        {
          model: opts.model, instances: opts.instances, policies: opts.policies.map((name) => ({ name, scheduler: PRESETS[name] })),
          calibration: opts.calibration, scenario: opts.scenario, real_runs: opts.realRuns ?? scenario.real_runs,
          num_kv_blocks: opts.kvBlocks ?? scenario.num_kv_blocks, block_size_tokens: 16, max_num_batched_tokens: scenario.max_num_batched_tokens, max_num_seqs: scenario.max_num_seqs, threads: opts.threads,
          trace: {
            requests: opts.numPrompts ?? t.requests, rate_per_s: opts.requestRate ?? t.rate_per_s,
            prompt_tokens: opts.promptTokens ?? t.prompt_tokens, output_tokens: opts.outputTokens ?? t.output_tokens, seed: opts.seed,
            ...(burstiness === undefined ? {} : { burstiness }), ...(t.long === undefined ? {} : { long: t.long }),
          },
          profile: { repeats: opts.repeats, prefill_tokens: [16, 32, 64, 128, 256, 512], decode_batch_sizes: [1, 2, 4, 8, 16, 32], decode_context_tokens: [32, 128, 320] },
          out: opts.out, steps: opts.steps, trace_json: opts.traceJson, contention: opts.contention, jitter_memory: opts.jitterMemory, sim_runs: opts.simRuns, ...(opts.warmup === undefined ? {} : { warmup_requests: opts.warmup }), ...(opts.calibrationMigrations === undefined ? {} : { calibration_migrations: opts.calibrationMigrations }), ...(opts.calibrationReplays === undefined ? {} : { calibration_replays: opts.calibrationReplays }),
        },
        (line) => console.error(line),
      );
      for (const p of report.policies) {
        console.log(`\n${p.policy}\n${markdownTable(p.metrics, p.ablations, p.real_runs)}`);
        const range = withinRealRange(p.metrics, p.real_runs);
        if (range !== undefined) console.log(`simulated within the range of the ${p.real_runs.length} real replays: ${range.within} of ${range.of} statistics`);
      }
      for (const r of report.ranking) {
        const noise = Number.isNaN(r.noise) ? 'noise not measured' : `noise ${(r.noise * 100).toFixed(1)} %`;
        console.log(`ranking ${r.metric} ${r.stat}: real ${r.real.join(' < ')}; simulated ${r.sim.join(' < ')}; ${noise}; ${r.verdict}`);
      }
      console.log(`\nwrote ${report.out}/fidelity.md, fidelity.json, scatter.svg, profile.csv, trace.csv and a folder per policy`);
    });
}
