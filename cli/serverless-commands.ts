/**
 * Serverless commands: `fleetlab example live-migration [--no-migration] [--real]` runs the two-node
 * example of ServerlessLLM's documentation in the simulator (or, with --real, on the real backend) and prints its log.
 */
import type { Command } from '@commander-js/extra-typings';
import { liveMigrationExample } from '../artifact/serverlessllm/live-migration.ts';
import { positive } from './arg-parsers.ts';

/** The 3B answer's tokens before the 1.5B request, as test/engine-real/serverless-example.test.ts sends it. */
const DEFAULT_AFTER_TOKENS = 300;

export function registerServerlessCommands(program: Command): void {
  const example = program.command('example').description('runnable scenarios from the reproduced papers');
  example
    .command('live-migration')
    .description('ServerlessLLM two-node example: a 1.5B request arrives while a 3B inference holds the node with its checkpoint')
    .option('--no-migration', 'storage-aware placement without live migration (the 1.5B request waits)')
    .option('--real', 'run it on the real backend: two nodes of instance processes on this machine, the OpenAI API, token-based live migration')
    .option('--model-3b <dir>', 'with --real: HF folder (or tiny preset) standing for Qwen2.5-3B', 'tiny-3b')
    .option('--model-1_5b <dir>', 'with --real: HF folder (or tiny preset) standing for Qwen2.5-1.5B', 'tiny-1_5b')
    .option('--after-tokens <n>', "with --real: send the 1.5B request once the 3B answer has streamed this many tokens (default 300: a point in the inference, so the race is the same on a fast or a slow machine)", positive)
    .option('--gap <s>', "with --real: instead, send it this many seconds after the 3B answer's first token (the document's 3; a fast CPU then decodes too much of the 3B answer for the migration to catch up)", positive)
    .option('--local-nodes', 'with --real: the two nodes are labels with local launchers instead of node agents')
    .action(async (opts) => {
      if (!opts.real) {
        console.log(liveMigrationExample({ migration: opts.migration }).lines.join('\n'));
        return;
      }
      // Loaded on demand: the simulated example needs none of the real backend.
      const { liveMigrationReal } = await import('../artifact/serverlessllm/live-migration-real.ts');
      const outcome = await liveMigrationReal({ migration: opts.migration, model_3b: opts.model3b, model_1_5b: opts.model1_5b, ...(opts.gap !== undefined ? { gap_s: opts.gap } : { after_tokens: opts.afterTokens ?? DEFAULT_AFTER_TOKENS }), agents: opts.localNodes !== true, log: (line) => console.log(line) });
      if (!outcome.small_first && opts.migration) process.exitCode = 1;
    });
}
