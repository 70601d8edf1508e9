/**
 * `fleetlab profile` measures the real engine's step times into a table the simulator reads;
 * `fleetlab fidelity` replays one trace on the real fleet and in the simulator (with a profile
 * measured in the same run) and reports the error per metric.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Command, InvalidArgumentError } from '@commander-js/extra-typings';
import { nonNegative, positive } from './arg-parsers.ts';
import { DEFAULT_GRID, profileCsv, profileEngine } from '../backend/profile/profile-engine.ts';
import { runFidelity } from '../fidelity/run-fidelity.ts';
import { markdownTable } from '../fidelity/report.ts';

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

export function registerFidelityCommands(program: Command): void {
  program
    .command('profile')
    .description("measure the real engine's step times (prefill by prompt tokens, decode by batch and context) into the simulator's table format")
    .requiredOption('-m, --model <dir>', 'model folder or tiny preset')
    .option('-o, --out <dir>', 'folder for profile.csv (+ profile.json)', 'results/profile')
    .option('--threads <n>', 'compute threads', positive, 1)
    .option('--repeats <n>', 'measurements per point (median kept, p10/p90 beside)', positive, 5)
    .option('--prefill <tokens,...>', 'prompt lengths', list, [...DEFAULT_GRID.prefill_tokens])
    .option('--batches <n,...>', 'decode batch sizes', list, [...DEFAULT_GRID.decode_batch_sizes])
    .option('--contexts <tokens,...>', 'decode context tokens per sequence', list, [...DEFAULT_GRID.decode_context_tokens])
    .action(async (opts) => {
      const result = await profileEngine(
        { model: opts.model, threads: opts.threads, repeats: opts.repeats, prefill_tokens: opts.prefill, decode_batch_sizes: opts.batches, decode_context_tokens: opts.contexts },
        (done, total) => process.stderr.write(`\rprofiling: ${done}/${total} points`),
      );
      process.stderr.write('\n');
      await mkdir(opts.out, { recursive: true });
      await writeFile(path.join(opts.out, 'profile.csv'), profileCsv(result.rows));
      await writeFile(path.join(opts.out, 'profile.json'), `${JSON.stringify(result.meta, null, 2)}\n`);
      console.log(`wrote ${path.join(opts.out, 'profile.csv')}: use it as model.perf: { kind: table, file: ${path.join(opts.out, 'profile.csv')} }`);
    });

  program
    .command('fidelity')
    .description('replay one trace on the real fleet and in the simulator (same scheduler, profile measured first) and report the error per metric')
    .option('-m, --model <dir>', 'model folder or tiny preset', 'tiny')
    .option('--instances <n>', 'instance processes', positive, 2)
    .option('--dispatch <kind>', 'dispatch policy: round-robin | load | least-requests', 'load')
    .option('-n, --num-prompts <n>', 'requests', positive, 60)
    .option('--request-rate <r>', 'Poisson arrivals, requests per second', rate, 4)
    .option('--prompt-tokens <min-max>', 'prompt lengths (uniform)', range, [16, 256] as [number, number])
    .option('--output-tokens <min-max>', 'output lengths (uniform)', range, [8, 64] as [number, number])
    .option('--seed <n>', 'seed of the trace', nonNegative, 0)
    .option('--threads <n>', 'compute threads per instance', positive, 1)
    .option('--repeats <n>', 'profile measurements per point', positive, 3)
    .option('-o, --out <dir>', 'report folder', 'results/fidelity')
    .option('--steps', 'also write steps.csv into real/ and sim/ (the real one from the engines\' step reports)', false)
    .option('--trace-json', 'also write trace.json (Chrome/Perfetto) into real/ and sim/', false)
    .action(async (opts) => {
      const report = await runFidelity(
        {
          model: opts.model, instances: opts.instances, scheduler: { dispatch: { kind: opts.dispatch } } as never,
          num_kv_blocks: 1024, block_size_tokens: 16, max_num_batched_tokens: 512, max_num_seqs: 64, threads: opts.threads,
          trace: { requests: opts.numPrompts, rate_per_s: opts.requestRate, prompt_tokens: opts.promptTokens, output_tokens: opts.outputTokens, seed: opts.seed },
          profile: { repeats: opts.repeats, prefill_tokens: [16, 32, 64, 128, 256, 512], decode_batch_sizes: [1, 2, 4, 8, 16, 32], decode_context_tokens: [32, 128, 320] },
          out: opts.out, steps: opts.steps, trace_json: opts.traceJson,
        },
        (line) => console.error(line),
      );
      console.log(markdownTable(report.metrics));
      console.log(`\nwrote ${report.out}/fidelity.md, fidelity.json, requests.csv, profile.csv, trace.csv and the results folders real/, sim/`);
    });
}
