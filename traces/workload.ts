import { z } from 'zod';
import { limitedInt, LIMITS } from '../config/limits.ts';
import type { RequestSpec, Rng } from './request.ts';
import { ArrivalConfigSchema, generateArrivals } from './arrivals.ts';
import { LengthConfigSchema, TraceOrder } from './lengths/schema.ts';
import { pickRows, sampleLengths, type TraceLoader } from './lengths/sample.ts';
import { type DatasetRequest, sampleVllmDataset, VllmDatasetSchema } from './datasets/index.ts';
import { loadTrace, parseTraceSource } from './loaders/load.ts';
import { TraceSourceSchema, type LoadedTrace } from './loaders/source.ts';
import { cumulativeWeights, sampleIndex } from './sampling.ts';
import { parseConfig } from './validate.ts';

const PairedSchema = z.strictObject({
  /** Trace whose rows supply both lengths of a request together (keeps their correlation). */
  trace: TraceSourceSchema,
  /** `sample`: rows with replacement; `sequential`: rows in file order (pairs with `replay` arrivals). */
  order: TraceOrder.default('sample'),
  /** Truncate longer prompts and outputs to this (Llumnix uses 6144 for BurstGPT). Tokens. */
  cap_tokens: z.number().int().positive().optional(),
  /** Copy the trace's model column (BurstGPT) into RequestSpec.model. */
  use_trace_models: z.boolean().default(false),
});

/** Either two independent distributions or pairs read from one trace. */
export const LengthsConfigSchema = z
  .strictObject({
    /** Prompt length distribution (with `output`). */
    prompt: LengthConfigSchema.optional(),
    /** Output length distribution (with `prompt`). */
    output: LengthConfigSchema.optional(),
    /** Paired lengths from a trace (instead of `prompt` + `output`). */
    paired: PairedSchema.optional(),
    /** A `vllm bench serve` dataset by name (instead of the others; docs/traces.md). */
    dataset: VllmDatasetSchema.optional(),
  })
  .refine((c) => (c.paired || c.dataset ? !c.prompt && !c.output && !(c.paired && c.dataset) : !!c.prompt && !!c.output), {
    message: 'either both prompt and output, or paired alone, or dataset alone',
  });

const ModelShareSchema = z.strictObject({
  /** Model name written into RequestSpec.model. */
  name: z.string().min(1),
  /** Relative share of requests (normalised over the list). Unitless. */
  weight: z.number().positive().finite(),
});

/** A whole synthetic or replayed workload; embed it in a run config under any key. */
export const WorkloadConfigSchema = z
  .strictObject({
    /** Number of requests to generate. */
    num_requests: limitedInt(LIMITS.requests),
    /** Arrival process. */
    arrival: ArrivalConfigSchema,
    /** Prompt and output lengths. */
    lengths: LengthsConfigSchema,
    /** Each request is independently high priority with probability high_ratio (Llumnix `priority_ratio`). */
    priority: z.strictObject({ high_ratio: z.number().min(0).max(1) }).default({ high_ratio: 0 }),
    /** Multi-model mix; omitted for single-model fleets (RequestSpec.model stays undefined). */
    models: z.array(ModelShareSchema).min(1).optional(),
    /**
     * Most requests in flight at once (vLLM's `--max-concurrency`): the client holds a due request
     * until one finishes, and its latencies count from when it is sent. Unbounded when absent.
     */
    max_concurrency: z.number().int().positive().optional(),
  })
  .refine((c) => !(c.models && c.lengths.paired?.use_trace_models), {
    message: 'either models or lengths.paired.use_trace_models, not both',
    path: ['models'],
  })
  .refine((c) => !c.models || new Set(c.models.map((m) => m.name)).size === c.models.length, {
    message: 'distinct model names',
    path: ['models'],
  });

export type WorkloadConfigInput = z.input<typeof WorkloadConfigSchema>;
export type WorkloadConfig = z.output<typeof WorkloadConfigSchema>;

/**
 * One seeded stream per component, so adding draws in one never shifts another. `models` is
 * optional: without it, model draws continue on `priorities` after all priority draws.
 */
export interface WorkloadStreams {
  readonly arrivals: Rng;
  readonly lengths: Rng;
  readonly priorities: Rng;
  readonly models?: Rng;
}

export interface WorkloadOptions {
  /** Directory relative trace paths are resolved against (usually the run config's folder). */
  readonly baseDir?: string;
  /** Filled while generating: every trace loaded and every request clipped, for summary.json. */
  readonly report?: WorkloadReport;
}

/** What happened to trace rows on their way to requests: nothing is dropped or changed silently. */
export interface WorkloadReport {
  readonly traces: LoadedTrace[];
  /** Requests whose prompt or output was cut to `lengths.paired.cap_tokens`. */
  clipped_to_cap_tokens: number;
  /** Requests a `lengths.dataset` drew again because it had fewer usable rows (absent: none drawn). */
  dataset_oversampled?: number;
}

/** Validates a workload config; throws ConfigError naming option, expectation and value. */
export function parseWorkloadConfig(input: unknown, option = ''): WorkloadConfig {
  return parseConfig(WorkloadConfigSchema, input, option);
}

/**
 * Builds the requests: sorted by arrival (ties keep generation order), ids 0..n−1 in that
 * order. Lengths are drawn prompts first then outputs (as Llumnix), priorities in id order.
 */
export function generateWorkload(config: WorkloadConfigInput, streams: WorkloadStreams, opts: WorkloadOptions = {}): RequestSpec[] {
  const cfg = parseWorkloadConfig(config);
  const n = cfg.num_requests;
  const load = cachedLoader(opts);
  const arrivals = generateArrivals(cfg.arrival, n, streams.arrivals, load);

  let prompts: number[];
  let outputs: number[];
  let traceModels: (string | undefined)[] | undefined;
  let prefixes: DatasetRequest[] | undefined;
  const paired = cfg.lengths.paired;
  const dataset = cfg.lengths.dataset;
  if (dataset) {
    const counts = { oversampled: 0 };
    const requests = sampleVllmDataset(dataset, n, streams.lengths, load, counts);
    prompts = requests.map((r) => r.prompt_tokens);
    outputs = requests.map((r) => r.output_tokens);
    if (requests.some((r) => r.hash_ids !== undefined)) prefixes = requests;
    if (opts.report !== undefined) opts.report.dataset_oversampled = (opts.report.dataset_oversampled ?? 0) + counts.oversampled;
  } else if (paired) {
    const trace = load(paired.trace);
    const rows = pickRows(trace, paired.order, n, streams.lengths).map((i) => trace.rows[i]);
    const cap = paired.cap_tokens ?? Number.POSITIVE_INFINITY;
    prompts = rows.map((r) => Math.min(cap, r?.prompt_tokens ?? 0));
    outputs = rows.map((r) => Math.min(cap, r?.output_tokens ?? 0));
    if (opts.report !== undefined) {
      opts.report.clipped_to_cap_tokens += rows.filter((r) => (r?.prompt_tokens ?? 0) > cap || (r?.output_tokens ?? 0) > cap).length;
    }
    if (paired.use_trace_models) traceModels = rows.map((r) => r?.model);
  } else {
    const { prompt, output } = cfg.lengths;
    if (!prompt || !output) throw new Error('unreachable: the schema requires prompt and output without paired');
    prompts = sampleLengths(prompt, 'prompt', n, streams.lengths, load);
    outputs = sampleLengths(output, 'output', n, streams.lengths, load);
  }

  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (arrivals[a] ?? 0) - (arrivals[b] ?? 0) || a - b);
  const high = order.map(() => streams.priorities() < cfg.priority.high_ratio);
  const models = drawModels(cfg, n, streams);

  return order.map((src, id): RequestSpec => {
    const model = models?.[id] ?? traceModels?.[src];
    const prefix = prefixes?.[src];
    const spec: RequestSpec = {
      id,
      arrival_s: arrivals[src] ?? 0,
      prompt_tokens: prompts[src] ?? 0,
      output_tokens: outputs[src] ?? 0,
      priority: high[id] ? ('high' as const) : ('normal' as const),
      ...(prefix?.hash_ids === undefined ? {} : { hash_ids: prefix.hash_ids, hash_block_tokens: prefix.hash_block_tokens ?? 16 }),
    };
    return model === undefined ? spec : { ...spec, model };
  });
}

function drawModels(cfg: WorkloadConfig, n: number, streams: WorkloadStreams): string[] | undefined {
  if (!cfg.models) return undefined;
  const names = cfg.models.map((m) => m.name);
  const cdf = cumulativeWeights(cfg.models.map((m) => m.weight));
  const rng = streams.models ?? streams.priorities;
  return Array.from({ length: n }, () => names[sampleIndex(cdf, rng)] ?? '');
}

/** One load per distinct source within a call: replay and paired lengths often name the same file. */
function cachedLoader(opts: WorkloadOptions): TraceLoader {
  const cache = new Map<string, LoadedTrace>();
  return (input) => {
    const source = parseTraceSource(input);
    const key = JSON.stringify(source);
    let trace = cache.get(key);
    if (!trace) {
      trace = loadTrace(source, opts.baseDir === undefined ? {} : { baseDir: opts.baseDir });
      cache.set(key, trace);
      opts.report?.traces.push(trace);
    }
    return trace;
  };
}
