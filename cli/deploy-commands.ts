/**
 * `fleetlab deploy --config config.json` and `fleetlab delete MODEL…`: sllm-cli's deploy and
 * delete against a running `fleetlab serve --serverless` (POST /register, POST /delete). The
 * config is ServerlessLLM's deploy JSON, validated here first so a mistake is named before
 * anything is sent. The server is `--url`, else $LLM_SERVER_URL (as sllm-cli), else 127.0.0.1:8000.
 */
import { resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { parseDeployConfig } from '../config/serverless-deploy.ts';
import { readConfigFile } from '../config/index.ts';

const serverUrl = (url: string | undefined): string => (url ?? process.env['LLM_SERVER_URL'] ?? 'http://127.0.0.1:8000').replace(/\/+$/, '');

async function post(url: string, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = (await res.json().catch(() => ({}))) as { error?: { message: string } };
  if (!res.ok) throw new Error(`${url}${path}: HTTP ${res.status}: ${answer.error?.message ?? JSON.stringify(answer)}`);
  return answer;
}

export function registerDeployCommands(program: Command): void {
  program
    .command('deploy')
    .description("deploy a model on a running `fleetlab serve --serverless` from ServerlessLLM's deploy JSON")
    .requiredOption('-c, --config <file>', 'deploy config (model, backend, num_gpus, auto_scaling_config, placement_config, router_config)')
    .option('--url <url>', 'the server (default $LLM_SERVER_URL or http://127.0.0.1:8000)')
    .action(async (opts) => {
      const config = parseDeployConfig(readConfigFile(resolve(opts.config), opts.config, '--config'), opts.config);
      await post(serverUrl(opts.url), '/register', config);
      console.log(`deployed ${config.model}`);
    });
  program
    .command('delete')
    .description('delete deployed model(s) from a running `fleetlab serve --serverless`')
    .argument('<models...>', 'model names')
    .option('--url <url>', 'the server (default $LLM_SERVER_URL or http://127.0.0.1:8000)')
    .action(async (models, opts) => {
      for (const model of models) {
        await post(serverUrl(opts.url), '/delete', { model });
        console.log(`deleted ${model}`);
      }
    });
}
