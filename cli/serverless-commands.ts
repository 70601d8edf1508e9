/**
 * Serverless commands: `fleetlab example live-migration [--no-migration]` runs the two-node
 * example of ServerlessLLM's documentation in the simulator and prints the migration log.
 */
import type { Command } from '@commander-js/extra-typings';
import { liveMigrationExample } from '../artifact/serverlessllm/live-migration.ts';

export function registerServerlessCommands(program: Command): void {
  const example = program.command('example').description('runnable scenarios from the reproduced papers');
  example
    .command('live-migration')
    .description('ServerlessLLM two-node example: a 1.5B request arrives while a 3B inference holds the node with its checkpoint')
    .option('--no-migration', 'storage-aware placement without live migration (the 1.5B request waits)')
    .action((opts) => {
      console.log(liveMigrationExample({ migration: opts.migration }).lines.join('\n'));
    });
}
