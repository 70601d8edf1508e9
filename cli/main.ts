import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from '@commander-js/extra-typings';
import { finite, nonNegative, positive, positiveNumber } from './arg-parsers.ts';
import { findPreset, PRESET_NAMES } from '../artifact/presets.ts';
import { FIG11_TRACES } from '../artifact/llumnix-fig11/setup.ts';
import { compareTable, type RunSummary, VERSION } from '../metrics/index.ts';
import { nearestName } from '../config/index.ts';
import { parseRunConfig } from '../sim/index.ts';
import { loadRunConfig } from './load-config.ts';
import { applyOverrides } from './overrides.ts';
import { printRejections, printTraceReport } from './trace-report.ts';
import { applyVllmFlags, checkDatasetPath, usesVllmFlags, VLLM_DEFAULT_PRESET } from './vllm-flags.ts';
import { derivedRunName } from './run-name.ts';
import { readComparables } from './compare-inputs.ts';
import { reportNothingFinished, runOne } from './run-one.ts';
import { registerSweepCommands } from './sweep-commands.ts';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

// The simulator's commands need neither the real backend (gRPC, fastify, tokenizers) nor the
// figures (vega): for them those modules are not loaded, which halves start-up (docs/startup.md).
// Any other command, --help included, loads everything.
const SIMULATOR_COMMANDS = new Set(['run', 'compare', 'presets', 'quickstart', 'sweep', 'merge']);
const simulatorOnly = SIMULATOR_COMMANDS.has(process.argv[2] ?? '');
const { REPRODUCTIONS } = simulatorOnly ? { REPRODUCTIONS: [] } : await import('../artifact/index.ts');

const program = new Command()
  .name('fleetlab')
  .description('Scheduling fleets of LLM inference instances: Llumnix and ServerlessLLM policies, simulated or real')
  .version(VERSION);

program
  .command('run')
  .description('simulate one configuration and write results/<name>/')
  .option('-c, --config <file>', 'run config (JSON or YAML); may name a `preset` to extend')
  .option('-p, --preset <name>', 'built-in config to start from (see `fleetlab presets`)')
  .option('-s, --set <key=value>', 'override a field, e.g. workload.arrival.rate_per_s=7.5 (repeatable)', collect, [])
  .option('--seed <n>', 'seed of every random stream', nonNegative)
  .option('-o, --out <dir>', 'results folder (default results/<name>): a new folder, or one fleetlab wrote (with --overwrite)')
  .option('--overwrite', 'replace the results folder if an earlier fleetlab run wrote it (never anything else)', false)
  .option('--no-progress', 'no progress bar')
  .option('--steps', 'also write steps.csv, one row per engine step (metrics.steps)', false)
  .option('--trace-json', 'also write trace.json, a Chrome/Perfetto trace of steps and migrations (metrics.trace_json)', false)
  // `vllm bench serve`'s flags (docs/vllm-vocabulary.md), applied after the config, before --set.
  .option('--request-rate <req/s>', 'requests per second (Poisson, or Gamma with --burstiness), or inf: everything at t=0')
  .option('--burstiness <k>', 'Gamma shape of the arrival gaps: 1 Poisson, <1 burstier, >1 more regular', finite)
  .option('--num-prompts <n>', 'requests to simulate (workload.num_requests)', positive)
  .option('--dataset-name <name>', 'sharegpt | burstgpt | random | sonnet | custom: where prompt and output lengths come from')
  .option('--dataset-path <file>', 'ShareGPT JSON/JSONL (or lengths CSV), BurstGPT CSV, custom JSONL (sonnet: vLLM\'s sonnet.txt, accepted, not read); sharegpt without it: the shipped ShareGPT lengths')
  .option('--random-input-len <tokens>', 'prompt tokens with --dataset-name random (default 1024)', positive)
  .option('--random-output-len <tokens>', 'output tokens with --dataset-name random (default 128)', positive)
  .option('--random-range-ratio <r>', 'lengths uniform in len·[1−r, 1+r] with --dataset-name random (default 0)', finite)
  .option('--random-prefix-len <tokens>', 'tokens every prompt starts with, with --dataset-name random (default 0)', nonNegative)
  .option('--sharegpt-output-len <tokens>', "output tokens of every request instead of the answer's, with --dataset-name sharegpt", positive)
  .option('--sonnet-input-len <tokens>', 'prompt tokens with --dataset-name sonnet (default 550)', positive)
  .option('--sonnet-output-len <tokens>', 'output tokens with --dataset-name sonnet (default 150)', positive)
  .option('--sonnet-prefix-len <tokens>', 'prompt tokens every request shares, with --dataset-name sonnet (default 200)', nonNegative)
  .option('--max-concurrency <n>', 'most requests in flight at once; the client holds the rest', positive)
  .option('--percentile-metrics <list>', 'vllm_bench metrics with percentiles, e.g. ttft,tpot,itl,e2el')
  .option('--metric-percentiles <list>', 'vllm_bench percentiles, e.g. 50,90,99')
  .option('--goodput <slo...>', 'SLOs for vllm_bench.request_goodput, e.g. ttft:500 tpot:50 (ms)')
  .action((opts) => {
    let preset = opts.preset;
    if (opts.config === undefined && preset === undefined) {
      const vllm = { requestRate: opts.requestRate, burstiness: opts.burstiness, numPrompts: opts.numPrompts, datasetName: opts.datasetName, datasetPath: opts.datasetPath };
      if (!usesVllmFlags(vllm)) throw new InvalidArgumentError('give --config FILE or --preset NAME (or vllm bench serve flags such as --dataset-name)');
      // As `vllm bench serve` measures one server, its flags alone simulate one vLLM instance.
      preset = VLLM_DEFAULT_PRESET;
      console.error(`no --config or --preset: simulating one vLLM v1 instance (--preset ${preset})`);
    }
    checkDatasetPath(opts);
    const { config, baseDir } = loadRunConfig({ ...opts, preset, set: [...opts.set, ...stepFlags(opts)], adjust: (raw) => applyVllmFlags(raw, opts, opts.config === undefined ? undefined : dirname(resolve(opts.config))) });
    const { summary, dir, wall_s } = runOne(config, { baseDir, outRoot: 'results', outDir: opts.out, progress: opts.progress, overwrite: opts.overwrite });
    console.log(compareTable([summary]));
    console.log(`\nwrote ${dir}/ (simulated ${summary.makespan_s.toFixed(0)} s in ${wall_s.toFixed(2)} s wall)`);
    printTraceReport(summary);
    printRejections(summary, dir);
    reportNothingFinished(summary, dir);
  });

/** --steps / --trace-json as the config overrides they stand for. */
function stepFlags(opts: { steps: boolean; traceJson: boolean }): string[] {
  return [...(opts.steps ? ['metrics.steps=true'] : []), ...(opts.traceJson ? ['metrics.trace_json=true'] : [])];
}

program
  .command('compare')
  .description('print runs side by side: fleetlab results folders and `vllm bench serve` result JSON files')
  .argument('<runs...>', 'results folders (fleetlab run, fleetlab bench serve) or vLLM result .json files')
  .action((runs) => {
    console.log(compareTable(readComparables(runs)));
  });

program
  .command('presets')
  .description('list the built-in configs')
  .action(() => console.log(PRESET_NAMES.join('\n')));

/** The quickstart's --trace: a Fig. 11 trace label, named as the presets spell it. */
function fig11Trace(value: string): string {
  const labels = FIG11_TRACES.map((t) => t.label);
  if (labels.includes(value)) return value;
  // One edit at most: the labels are three letters apart by one or two (M-M, MM, m-m → M-M).
  const nearest = nearestName(value, labels, 1);
  const hint = nearest === undefined ? '' : ` (did you mean ${nearest}?)`;
  throw new InvalidArgumentError(`expected one of ${labels.join(' | ')}, received "${value}"${hint}`);
}

program
  .command('quickstart')
  .description('the main job: Round-Robin vs INFaaS++ vs Llumnix on Llumnix Fig. 11 M-M at 7.5 req/s, 16 instances')
  .option('--trace <label>', `Fig. 11 trace: ${FIG11_TRACES.map((t) => t.label).join(', ')}`, fig11Trace, 'M-M')
  .option('--rate <req/s>', 'request rate (default: the trace\'s, 7.5 for M-M)', positiveNumber)
  .option('-n, --requests <n>', 'requests per system', positive, 10_000)
  .option('--seed <n>', 'seed', nonNegative, 0)
  .option('-o, --out <dir>', 'results root', 'results/quickstart')
  .option('--no-progress', 'no progress bar')
  .action((opts) => {
    const summaries: RunSummary[] = [];
    for (const system of ['round-robin', 'infaas++', 'llumnix']) {
      const preset = findPreset(`llumnix-fig11/${opts.trace}/${system}`) as Record<string, unknown>;
      const sets = [`workload.num_requests=${opts.requests}`, `seed=${opts.seed}`];
      if (opts.rate !== undefined) sets.push(`workload.arrival.rate_per_s=${opts.rate}`);
      const raw = applyOverrides(preset, sets);
      // --rate 8 writes fig11-M-M-llumnix-8, not the preset's 7.5 (cli/run-name.ts).
      raw.name = derivedRunName(String(preset.name), preset, raw);
      const config = parseRunConfig(raw, `llumnix-fig11/${opts.trace}/${system}`);
      // Re-running the quickstart is its normal use: it replaces the folders it wrote before
      // (and only those; anything else at the path is still refused).
      const { summary, dir, wall_s } = runOne(config, { baseDir: process.cwd(), outRoot: opts.out, progress: opts.progress, overwrite: true });
      console.error(`${summary.system}: ${summary.requests} requests in ${wall_s.toFixed(2)} s wall → ${dir}/`);
      reportNothingFinished(summary, dir);
      summaries.push(summary);
    }
    console.log(compareTable(summaries));
  });

program
  .command('reproduce')
  .description(`reproduce a paper's evaluation figures in the simulator: ${REPRODUCTIONS.map((r) => r.paper).join(', ')}`)
  .argument('<paper>', REPRODUCTIONS.map((r) => r.paper).join(' | '))
  .option('--full', "full mode: the paper's request counts and every point (quick mode otherwise)", false)
  .option('--only <figure>', 'only this figure (repeatable), e.g. fig11', collect, [])
  .option('-o, --out <dir>', 'output root (default results/<paper>)')
  .option('-j, --workers <n>', 'worker threads for sweep points', nonNegative)
  .option('--no-progress', 'no progress bar')
  .action(async (paper, opts) => {
    const reproduction = REPRODUCTIONS.find((r) => r.paper === paper);
    if (reproduction === undefined) {
      throw new InvalidArgumentError(`unknown paper "${paper}"; expected one of: ${REPRODUCTIONS.map((r) => r.paper).join(', ')}`);
    }
    const unknown = opts.only.filter((f) => !reproduction.figures.includes(f));
    if (unknown.length > 0) throw new InvalidArgumentError(`unknown figure ${unknown.join(', ')}; ${paper} has: ${reproduction.figures.join(', ')}`);
    await reproduction.run({
      full: opts.full,
      only: opts.only,
      out: opts.out ?? join('results', paper),
      workers: opts.workers ?? Math.max(1, availableParallelism()),
      progress: opts.progress,
    });
  });

registerSweepCommands(program);
if (!simulatorOnly) {
  (await import('./serverless-commands.ts')).registerServerlessCommands(program);
  (await import('./deploy-commands.ts')).registerDeployCommands(program);
  (await import('./model-commands.ts')).registerModelCommands(program);
  (await import('./generate-command.ts')).registerGenerateCommand(program);
  (await import('./fidelity-commands.ts')).registerFidelityCommands(program);
  (await import('./serve-command.ts')).registerServeCommand(program);
  (await import('./agent-command.ts')).registerAgentCommand(program);
  (await import('./bench-commands.ts')).registerBenchCommands(program);
}

program.parseAsync().catch((error: unknown) => {
  console.error(`fleetlab: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
