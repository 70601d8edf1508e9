import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from '@commander-js/extra-typings';
import { nonNegative } from './arg-parsers.ts';
import { findPreset, PRESET_NAMES, REPRODUCTIONS } from '../artifact/index.ts';
import { compareTable, type RunSummary, VERSION } from '../metrics/index.ts';
import { parseRunConfig } from '../sim/index.ts';
import { loadRunConfig } from './load-config.ts';
import { registerBenchCommands } from './bench-commands.ts';
import { applyOverrides } from './overrides.ts';
import { registerModelCommands } from './model-commands.ts';
import { registerFidelityCommands } from './fidelity-commands.ts';
import { registerGenerateCommand } from './generate-command.ts';
import { registerServeCommand } from './serve-command.ts';
import { printTraceReport } from './trace-report.ts';
import { reportNothingFinished, runOne } from './run-one.ts';
import { registerServerlessCommands } from './serverless-commands.ts';
import { registerDeployCommands } from './deploy-commands.ts';
import { registerSweepCommands } from './sweep-commands.ts';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

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
  .action((opts) => {
    if (opts.config === undefined && opts.preset === undefined) throw new InvalidArgumentError('give --config FILE or --preset NAME');
    const { config, baseDir } = loadRunConfig(opts);
    const { summary, dir, wall_s } = runOne(config, { baseDir, outRoot: 'results', outDir: opts.out, progress: opts.progress, overwrite: opts.overwrite });
    console.log(compareTable([summary]));
    console.log(`\nwrote ${dir}/ (simulated ${summary.makespan_s.toFixed(0)} s in ${wall_s.toFixed(2)} s wall)`);
    printTraceReport(summary);
    reportNothingFinished(summary, dir);
  });

program
  .command('compare')
  .description('print the summaries of result folders side by side')
  .argument('<dirs...>', 'result folders written by `fleetlab run`')
  .action((dirs) => {
    const summaries = dirs.map((dir) => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as RunSummary);
    console.log(compareTable(summaries));
  });

program
  .command('presets')
  .description('list the built-in configs')
  .action(() => console.log(PRESET_NAMES.join('\n')));

program
  .command('quickstart')
  .description('the main job: Round-Robin vs INFaaS++ vs Llumnix on Llumnix Fig. 11 M-M at 7.5 req/s, 16 instances')
  .option('--trace <label>', 'Fig. 11 trace: ShareGPT, BurstGPT, S-S, M-M, L-L, S-L, L-S', 'M-M')
  .option('--rate <req/s>', 'request rate', parseFloat)
  .option('-n, --requests <n>', 'requests per system', nonNegative, 10_000)
  .option('--seed <n>', 'seed', nonNegative, 0)
  .option('-o, --out <dir>', 'results root', 'results/quickstart')
  .option('--no-progress', 'no progress bar')
  .action((opts) => {
    const summaries: RunSummary[] = [];
    for (const system of ['round-robin', 'infaas++', 'llumnix']) {
      let raw = findPreset(`llumnix-fig11/${opts.trace}/${system}`) as Record<string, unknown>;
      const sets = [`workload.num_requests=${opts.requests}`, `seed=${opts.seed}`];
      if (opts.rate !== undefined) sets.push(`workload.arrival.rate_per_s=${opts.rate}`);
      raw = applyOverrides(raw, sets);
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
registerServerlessCommands(program);
registerDeployCommands(program);
registerModelCommands(program);
registerGenerateCommand(program);
registerFidelityCommands(program);
registerServeCommand(program);
registerBenchCommands(program);

program.parseAsync().catch((error: unknown) => {
  console.error(`fleetlab: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
