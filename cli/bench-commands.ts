/**
 * `fleetlab bench serve`: vLLM's `vllm bench serve` flags against any OpenAI-compatible server;
 * prints vLLM's summary table, writes a fleetlab results folder (for `fleetlab compare`) and,
 * with --save-result, vLLM's result JSON.
 */
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from '@commander-js/extra-typings';
import { ConfigError, parseConfig } from '../config/index.ts';
import { nonNegative, port, positive, positiveNumber, requestRate } from './arg-parsers.ts';
import { parseGoodput } from '../metrics/vllm-keys.ts';
import {
  BenchServeOptionsSchema,
  benchServe,
  benchRecords,
  formatSummary,
  saveVllmResult,
  vllmResultFilename,
  writeBenchResults,
} from '../loadgen/index.ts';

const list = (value: string): string[] => value.split(/[,\s]+/).filter((v) => v !== '');

/** Numbers separated by commas (the schema checks their range). */
const numbers = (value: string): number[] =>
  list(value).map((part) => {
    const n = Number(part);
    if (!Number.isFinite(n)) throw new InvalidArgumentError(`expected numbers separated by commas, received "${part}" in "${value}"`);
    return n;
  });

/**
 * The options' schema names its fields in snake case (`num_prompts`); the user typed flags
 * (`--num-prompts`): a refused value is named by its flag.
 */
function namedByFlag(error: unknown): unknown {
  if (!(error instanceof ConfigError)) return error;
  const flag = (option: string): string => `--${(option.split(/[.[]/)[0] ?? option).replaceAll('_', '-')}`;
  return new ConfigError(
    error.issues.map((issue) => ({ ...issue, option: flag(issue.option) })),
    { cause: error, source: error.source },
  );
}

export function registerBenchCommands(program: Command): void {
  const bench = program.command('bench').description('benchmarks against real servers');
  bench
    .command('serve')
    .description('load an OpenAI-compatible server as `vllm bench serve` does (streamed requests, TTFT/TPOT/ITL/E2EL)')
    .requiredOption('--model <name>', 'served model name')
    .option('--base-url <url>', 'server root, e.g. http://127.0.0.1:8000 (wins over --host/--port)')
    .option('--host <host>', 'server host', '127.0.0.1')
    .option('--port <port>', 'server port', port, 8000)
    .option('--endpoint <path>', '/v1/completions or /v1/chat/completions', '/v1/completions')
    .option('--dataset-name <name>', 'random | sharegpt', 'random')
    .option('--dataset-path <file>', 'ShareGPT JSON array or JSON lines')
    .option('--random-input-len <tokens>', 'prompt tokens per random request', positive, 1024)
    .option('--random-output-len <tokens>', 'max_tokens per random request', positive, 128)
    .option('--request-rate <req/s>', 'requests per second, or inf (everything at t=0)', requestRate, Infinity)
    .option('--burstiness <k>', 'Gamma shape of the gaps: 1 Poisson, <1 burstier, >1 more regular', positiveNumber, 1)
    .option('--num-prompts <n>', 'requests to send', positive, 1000)
    .option('--max-concurrency <n>', 'most requests in flight at once', positive)
    .option('--seed <n>', 'seed of the prompts and the arrival times', nonNegative, 0)
    .option('--percentile-metrics <list>', 'comma-separated of ttft,tpot,itl,e2el', 'ttft,tpot,itl,e2el')
    .option('--metric-percentiles <list>', 'comma-separated percentiles, e.g. 25,50,99', numbers, [99])
    .option('--goodput <slo...>', 'SLOs for request_goodput, e.g. ttft:500 tpot:50 (milliseconds; keys ttft, tpot, e2el)')
    .option('--ignore-eos', 'ask the server to ignore EOS (vLLM extension)', false)
    .option('--api-key <key>', 'Authorization: Bearer key (default $OPENAI_API_KEY)')
    .option('--save-result', "write vLLM's result JSON", false)
    .option('--result-dir <dir>', "folder of vLLM's result JSON", '.')
    .option('--result-filename <file>', "name of vLLM's result JSON (default vLLM's pattern)")
    .option('--label <name>', 'column name in `fleetlab compare` (default real:<model>)')
    .option('-o, --out <dir>', 'fleetlab results folder (default results/bench-serve-<model>-<rate>qps)')
    .action(async (opts) => {
      let o;
      try {
        o = parseConfig(
          BenchServeOptionsSchema,
          {
            base_url: opts.baseUrl,
            host: opts.host,
            port: opts.port,
            endpoint: opts.endpoint,
            model: opts.model,
            dataset_name: opts.datasetName,
            dataset_path: opts.datasetPath,
            random_input_len: opts.randomInputLen,
            random_output_len: opts.randomOutputLen,
            request_rate: opts.requestRate,
            burstiness: opts.burstiness,
            num_prompts: opts.numPrompts,
            max_concurrency: opts.maxConcurrency,
            seed: opts.seed,
            percentile_metrics: list(opts.percentileMetrics),
            metric_percentiles: opts.metricPercentiles,
            goodput: opts.goodput === undefined ? undefined : parseGoodput(opts.goodput),
            ignore_eos: opts.ignoreEos,
            api_key: opts.apiKey ?? process.env['OPENAI_API_KEY'],
            label: opts.label,
          },
          '',
          'fleetlab bench serve',
        );
      } catch (error) {
        throw namedByFlag(error);
      }
      const run = await benchServe(o);
      if (!run.server_tokenizer) console.error('note: the server has no /tokenize; prompt lengths are estimated, token counts are the server’s usage');
      console.log(formatSummary(run.result, o));
      const rate = o.request_rate === Infinity ? 'inf' : String(o.request_rate);
      const concurrency = o.max_concurrency === undefined ? '' : `-c${o.max_concurrency}`;
      const name = `bench-serve-${o.model.split('/').at(-1)}-${rate}qps${concurrency}`;
      const dir = opts.out ?? join('results', name);
      const { api_key: _secret, ...config } = o;
      writeBenchResults(dir, benchRecords(o, name, { kind: 'bench-serve', name, ...config, request_rate: rate }, run.outputs, run.duration_s));
      console.log(`wrote ${dir}/`);
      if (opts.saveResult) {
        const path = saveVllmResult(run.result, opts.resultDir, opts.resultFilename ?? vllmResultFilename(o, String(run.result['date'])));
        console.log(`wrote ${path}`);
      }
      if (run.outputs.every((r) => !r.success)) {
        throw new Error(`every request failed; first error: ${run.outputs[0]?.error ?? 'none sent'}`);
      }
    });
}
