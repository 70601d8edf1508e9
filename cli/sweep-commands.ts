import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from '@commander-js/extra-typings';
import { positive } from './arg-parsers.ts';
import { z } from 'zod';
import { findPreset } from '../artifact/presets.ts';
import { FolderName, readConfigFile, showValue } from '../config/index.ts';
import { mergedCsv, mergeSweeps, parseShard, runSweep, type Sweep } from '../sweep/index.ts';
import { mergeConfig } from './overrides.ts';
import { DEFAULT_QUEUE_NAME, runQueuedSweep } from '../sweep/queue/index.ts';
import { redisUrl, registerWorkerCommand } from './queue-commands.ts';

/** A sweep file (JSON or YAML): points whose configs may extend a built-in `preset`. */
const SweepFile = z.strictObject({
  /** Names results/sweeps/<name>: one folder name. */
  name: FolderName.optional(),
  base_seed: z.number().int().nonnegative().default(0),
  points: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        labels: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
        seed_group: z.string().min(1).optional(),
        config: z.record(z.string(), z.unknown()),
      }),
    )
    .min(1),
});

function loadSweep(file: string): Sweep {
  const parsed = SweepFile.safeParse(readConfigFile(resolve(file), file, 'sweep file'));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidArgumentError(`${file}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid sweep file'}`);
  }
  const { name, base_seed, points } = parsed.data;
  return {
    name: name ?? basename(file).replace(/\.(json|ya?ml)$/, '').replace(/^\.+$/, 'sweep'),
    base_seed,
    points: points.map(({ id, labels, seed_group, config }) => {
      const { preset, ...rest } = config;
      if (preset !== undefined && typeof preset !== 'string') {
        throw new InvalidArgumentError(`${file}: points.${id}.config.preset: expected a preset name (a string), received ${showValue(preset)}`);
      }
      const full = typeof preset === 'string' ? mergeConfig(findPreset(preset, `${file}: points.${id}.config`) as Record<string, unknown>, rest) : config;
      return { id, labels, config: full as never, ...(seed_group === undefined ? {} : { seed_group }) };
    }),
  };
}

/** `fleetlab sweep FILE` and `fleetlab merge DIR...`. */
export function registerSweepCommands(program: Pick<Command, 'command'>): void {
  program
    .command('sweep')
    .description('run every point of a sweep file on worker threads; finished points are skipped')
    .argument('<file>', 'sweep file (JSON or YAML): {name, base_seed, points: [{id, labels, seed_group, config}]}')
    .option('-o, --out <dir>', 'output folder (default results/sweeps/<name>)')
    .option('-j, --workers <n>', 'worker threads', positive)
    .option('--shard <i/n>', 'run only the i-th of every n points (sorted by id)', parseShard)
    .option('--no-progress', 'no progress bar')
    .option('--queue <url>', 'run the points on `fleetlab worker`s through this Redis (e.g. redis://10.0.0.5:6379)', redisUrl)
    .option('--queue-name <name>', 'BullMQ queue name', DEFAULT_QUEUE_NAME)
    .action(async (file, opts) => {
      const sweep = loadSweep(file);
      const out = opts.out ?? join('results', 'sweeps', sweep.name);
      if (opts.queue !== undefined && opts.workers !== undefined) {
        throw new InvalidArgumentError(`--workers ${opts.workers} has no effect with --queue: start workers with \`fleetlab worker --concurrency N\``);
      }
      const common = { out, shard: opts.shard, progress: opts.progress, baseDir: dirname(resolve(file)) };
      const outcomes =
        opts.queue === undefined
          ? await runSweep(sweep, { ...common, workers: opts.workers ?? Math.max(1, availableParallelism()) })
          : await runQueuedSweep(sweep, { ...common, target: { url: opts.queue, name: opts.queueName } });
      const ran = outcomes.filter((o) => o.status === 'ran').length;
      console.log(`${sweep.name}: ${ran} point(s) ran, ${outcomes.length - ran} already finished → ${out}/points/`);
    });

  registerWorkerCommand(program);

  program
    .command('merge')
    .description("gather sweep folders' point summaries (e.g. shards) into one CSV table")
    .argument('<dirs...>', 'sweep output folders')
    .option('-o, --out <file>', 'write the CSV here (stdout otherwise)')
    .action((dirs, opts) => {
      const csv = mergedCsv(mergeSweeps(dirs));
      if (opts.out === undefined) process.stdout.write(csv);
      else writeFileSync(opts.out, csv);
    });
}
