/**
 * Serverless commands: `fleetlab example live-migration [--no-migration] [--real]` runs the two-node
 * example of ServerlessLLM's documentation in the simulator (or, with --real, on the real backend) and prints its log.
 */
import type { Command } from '@commander-js/extra-typings';
import { liveMigrationExample } from '../artifact/serverlessllm/live-migration.ts';
import { positive } from './arg-parsers.ts';

export function registerServerlessCommands(program: Command): void {
  const example = program.command('example').description('runnable scenarios from the reproduced papers');
  example
    .command('live-migration')
    .description('ServerlessLLM two-node example: a 1.5B request arrives while a 3B inference holds the node with its checkpoint')
    .option('--no-migration', 'storage-aware placement without live migration (the 1.5B request waits)')
    .option('--real', 'run it on the real backend: two nodes of instance processes on this machine, the OpenAI API, token-based live migration')
    .option('--model-3b <dir>', 'with --real: HF folder (or tiny preset) standing for Qwen2.5-3B', 'tiny-3b')
    .option('--model-1_5b <dir>', 'with --real: HF folder (or tiny preset) standing for Qwen2.5-1.5B', 'tiny-1_5b')
    .option('--gap <s>', 'with --real: seconds between the two requests', positive, 3)
    .option('--local-nodes', 'with --real: the two nodes are labels with local launchers instead of node agents')
    .action(async (opts) => {
      if (!opts.real) {
        console.log(liveMigrationExample({ migration: opts.migration }).lines.join('\n'));
        return;
      }
      // Loaded on demand: the simulated example needs none of the real backend.
      const { liveMigrationReal } = await import('../artifact/serverlessllm/live-migration-real.ts');
      const outcome = await liveMigrationReal({ migration: opts.migration, model_3b: opts.model3b, model_1_5b: opts.model1_5b, gap_s: opts.gap, agents: opts.localNodes !== true, log: (line) => console.log(line) });
      if (!outcome.small_first && opts.migration) process.exitCode = 1;
    });
}
