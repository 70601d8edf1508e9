import { z } from 'zod';
import { GoodputSlo, MetricPercentiles, PercentileMetrics, VLLM_METRICS } from '../metrics/vllm-keys.ts';

/** `fleetlab bench serve` options, named as `vllm bench serve` flags (snake_case here, kebab-case on the command line). */
export const BenchServeOptionsSchema = z
  .strictObject({
    /** Server root, e.g. http://127.0.0.1:8000 (wins over host/port). */
    base_url: z.url({ protocol: /^https?$/, error: 'an http(s) URL such as http://127.0.0.1:8000' }).optional(),
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(1).max(65535).default(8000),
    endpoint: z.enum(['/v1/completions', '/v1/chat/completions']).default('/v1/completions'),
    model: z.string().min(1),
    dataset_name: z.enum(['random', 'sharegpt']).default('random'),
    /** ShareGPT JSON array or JSON lines (required for sharegpt). */
    dataset_path: z.string().optional(),
    /** Prompt tokens per random request. Tokens. */
    random_input_len: z.number().int().min(1).default(1024),
    /** max_tokens per random request. Tokens. */
    random_output_len: z.number().int().min(1).default(128),
    /** Requests per second, or Infinity: everything at t = 0. */
    request_rate: z.union([z.number().positive(), z.literal(Infinity)]).default(Infinity),
    /** Gamma shape of the gaps: 1 is Poisson, < 1 burstier, > 1 more regular. */
    burstiness: z.number().positive().finite().default(1),
    num_prompts: z.number().int().min(1).default(1000),
    /** Most requests in flight at once (unbounded when absent). */
    max_concurrency: z.number().int().min(1).optional(),
    seed: z.number().int().min(0).default(0),
    percentile_metrics: PercentileMetrics.default([...VLLM_METRICS]),
    /** Percentiles in (0, 100]. */
    metric_percentiles: MetricPercentiles.default([99]),
    /** SLOs in milliseconds for `request_goodput` (`--goodput ttft:500 tpot:50`); null without. */
    goodput: GoodputSlo.optional(),
    ignore_eos: z.boolean().default(false),
    /** `Authorization: Bearer` for servers started with --api-key. */
    api_key: z.string().optional(),
    /** Column name in `fleetlab compare` (summary.json `system`). */
    label: z.string().min(1).optional(),
  })
  .superRefine((o, ctx) => {
    if (o.dataset_name === 'sharegpt' && o.dataset_path === undefined) {
      ctx.addIssue({ code: 'custom', message: 'to be a ShareGPT JSON file (required with --dataset-name sharegpt)', path: ['dataset_path'], input: o.dataset_path });
    }
  });

export type BenchServeOptions = z.output<typeof BenchServeOptionsSchema>;
export type BenchServeOptionsInput = z.input<typeof BenchServeOptionsSchema>;

export const baseUrlOf = (o: BenchServeOptions): string => (o.base_url ?? `http://${o.host}:${o.port}`).replace(/\/+$/, '');
