/**
 * `fleetlab generate --model DIR|tiny --prompt TEXT [--max-tokens N]`: runs the real engine
 * (engine/ scheduler + native model runner) on this machine's CPU and streams the completion.
 */
import type { Command } from '@commander-js/extra-typings';
import { finite, positive } from './arg-parsers.ts';
import { LLMEngine } from '../backend/engine/llm-engine.ts';
import { parseSamplingParams } from '../backend/engine/sampling-params.ts';

export function registerGenerateCommand(program: Command): void {
  program
    .command('generate')
    .description('generate text with the real engine on this machine (CPU), e.g. --model tiny --prompt "Hello"')
    .requiredOption('-m, --model <dir>', 'HF model folder, or a tiny random model: tiny, tiny-1_5b, tiny-3b')
    .requiredOption('-p, --prompt <text>', 'prompt text')
    .option('--chat', 'apply the model\'s chat template to the prompt as one user message', false)
    .option('-n, --max-tokens <n>', 'tokens to generate at most', positive, 32)
    .option('-t, --temperature <t>', 'sampling temperature (0: greedy)', finite, 0)
    .option('--top-p <p>', 'nucleus sampling mass', finite)
    .option('--top-k <k>', 'top-k sampling (0: off)', finite)
    .option('--seed <n>', 'seed of this request\'s sampling stream', finite)
    .option('--stop <text>', 'stop string (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--threads <n>', 'compute threads of the model runner', positive, 1)
    .option('--stats', 'print timing and token counts to stderr', false)
    .action(async (opts) => {
      const engine = await LLMEngine.create({ model: opts.model, threads: opts.threads });
      try {
        const sampling = parseSamplingParams(
          {
            max_tokens: opts.maxTokens, temperature: opts.temperature, stop: opts.stop,
            ...(opts.topP !== undefined ? { top_p: opts.topP } : {}),
            ...(opts.topK !== undefined ? { top_k: opts.topK } : {}),
            ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
          },
          engine.model.generation,
          'fleetlab generate',
        );
        const tok = engine.tokenizer;
        const ids = opts.chat
          ? tok.encode(tok.applyChatTemplate([{ role: 'user', content: opts.prompt }], { add_generation_prompt: true }), { add_special_tokens: false })
          : tok.encode(opts.prompt, { add_special_tokens: true });
        const t0 = performance.now();
        let first_ms = 0;
        let tokens = 0;
        let finish = '';
        for await (const d of engine.generate({ request_id: 'cli-0', prompt_token_ids: ids, sampling })) {
          if (tokens === 0 && d.token_ids.length > 0) first_ms = performance.now() - t0;
          tokens += d.token_ids.length;
          process.stdout.write(d.text);
          if (d.finish_reason) finish = d.finish_reason;
        }
        process.stdout.write('\n');
        if (opts.stats) {
          const total_ms = performance.now() - t0;
          const tpot = tokens > 1 ? (total_ms - first_ms) / (tokens - 1) : 0;
          console.error(`${ids.length} prompt tokens, ${tokens} generated (finish: ${finish}); TTFT ${first_ms.toFixed(1)} ms, TPOT ${tpot.toFixed(2)} ms, ${engine.runner.kernel} kernels, ${engine.runner.threads} thread(s)`);
        }
      } finally {
        await engine.shutdown();
      }
    });
}
