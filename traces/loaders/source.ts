import { z } from 'zod';
import { BUILTIN_TRACES, isBuiltinName } from './builtin.ts';

/** One request read from a trace file, before it becomes a RequestSpec. */
export interface TraceRow {
  /** Arrival in seconds after the processing below; absent for length-only formats. */
  readonly arrival_s?: number;
  readonly prompt_tokens: number;
  readonly output_tokens: number;
  /** Model column (BurstGPT), when the format has one. */
  readonly model?: string;
  /** Mooncake prefix-block ids (512 tokens each; equal ids = shareable prefix KV). */
  readonly hash_ids?: readonly number[];
  /** 1-based line of the file the row came from (0 for JSON-array entries), for error messages. */
  readonly line: number;
}

/** What a loader returns: the kept rows, in time order (file order without times), and why the others were left out. */
export interface LoadedTrace {
  readonly file: string;
  readonly format: TraceFormat;
  readonly rows: readonly TraceRow[];
  /** Rows left out, by reason (e.g. `zero_output_tokens`, `outside_window`, `log_type`). */
  readonly dropped: Readonly<Record<string, number>>;
  /** Rows kept but changed, by reason (e.g. `clamped_output_tokens` under zero_tokens: clamp_to_1). */
  readonly adjusted: Readonly<Record<string, number>>;
  /** Data rows the file held (kept + dropped). */
  readonly rows_read: number;
  /** Rows that moved when sorting by time (0 for a sorted file or a format without times). */
  readonly reordered: number;
}

export const TRACE_FORMATS = ['vidur', 'lengths', 'azure', 'burstgpt', 'mooncake', 'sharegpt', 'vllm-jsonl', 'vllm-result'] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

/** What to do with a row whose prompt or output has 0 tokens (failed requests in BurstGPT). */
export const ZeroTokensPolicy = z.enum(['drop', 'error', 'clamp_to_1']);

/**
 * A row whose prompt + output exceeds `max_total_tokens`: `drop` it (counted), or clip it as
 * Vidur does: `cut_prompt` (its trace-replay generator: prompt −= excess; a row whose output alone
 * reaches the limit is dropped and counted) or `proportional` (its trace length generator: prompt
 * and output each lose ⌈excess × their share⌉, and keep at least 1 token).
 */
export const OverMaxTotalTokens = z.enum(['drop', 'cut_prompt', 'proportional']);

const Common = {
  /** File path (relative to the workload's base directory) or a `builtin:<name>` shipped trace. */
  path: z.string().min(1),
  /** Multiplies every timestamp after windowing: 0.5 replays twice as fast. Unitless. */
  time_scale: z.number().positive().finite().default(1),
  /** Keep rows with trace time ≥ this (seconds on the file's own clock, before rebasing). */
  start_s: z.number().finite().optional(),
  /** Keep rows with trace time < this (seconds on the file's own clock, before rebasing). */
  end_s: z.number().finite().optional(),
  /** Shift times so the first kept row arrives at t = 0 s. */
  rebase: z.boolean().default(true),
  /** Keep at most this many rows (after filtering and windowing), the earliest first. */
  max_requests: z.number().int().positive().optional(),
  /** Rows with 0 prompt or 0 output tokens: drop and count them (default), fail, or raise to 1. */
  zero_tokens: ZeroTokensPolicy.default('drop'),
  /** Longest prompt + output a row may have (Vidur's max_tokens); what happens above it: `over_max_total_tokens`. Tokens. */
  max_total_tokens: z.number().int().positive().optional(),
  /** drop (default) | cut_prompt | proportional (Vidur's two clipping modes); every row dropped or clipped is counted. */
  over_max_total_tokens: OverMaxTotalTokens.optional(),
  /** Drop rows with fewer prompt tokens (vLLM's ShareGPT filter keeps ≥ 4). Tokens. */
  min_prompt_tokens: z.number().int().positive().optional(),
  /** Drop rows with fewer output tokens (vLLM's ShareGPT filter keeps ≥ 4). Tokens. */
  min_output_tokens: z.number().int().positive().optional(),
  /** Drop rows with more prompt tokens (vLLM's ShareGPT filter keeps ≤ 1024). Tokens. */
  max_prompt_tokens: z.number().int().positive().optional(),
};

const ShareGptOptions = {
  /** Token estimate without a tokenizer: ceil(characters / this). ≈ 4 for English text. */
  chars_per_token: z.number().positive().default(4),
};

const VllmJsonlOptions = {
  /** Token estimate of a `prompt` text without a tokenizer: ceil(characters / this). */
  chars_per_token: z.number().positive().default(4),
  /** Output tokens of a line that names none (vLLM's `--custom-output-len`, default 256). */
  output_len: z.number().int().positive().default(256),
};

const BurstGptOptions = {
  /** Keep only these `Model` values (e.g. ["GPT-4"], as vLLM's BurstGPT loader does). */
  models: z.array(z.string()).min(1).optional(),
  /** Keep only these `Log Type` values ("Conversation log", "API log"). */
  log_types: z.array(z.string()).min(1).optional(),
};

/** Where a trace comes from and how to cut it; `format` picks the parser. */
export const TraceSourceObject = z.discriminatedUnion('format', [
  z.strictObject({ format: z.literal('vidur'), ...Common }),
  z.strictObject({ format: z.literal('lengths'), ...Common }),
  z.strictObject({ format: z.literal('azure'), ...Common }),
  z.strictObject({ format: z.literal('burstgpt'), ...Common, ...BurstGptOptions }),
  z.strictObject({ format: z.literal('mooncake'), ...Common }),
  z.strictObject({ format: z.literal('sharegpt'), ...Common, ...ShareGptOptions }),
  z.strictObject({ format: z.literal('vllm-jsonl'), ...Common, ...VllmJsonlOptions }),
  /** A `vllm bench serve --save-detailed` result JSON: the requests a real benchmark sent. */
  z.strictObject({ format: z.literal('vllm-result'), ...Common }),
]);

/** A trace source: the full object, or just `"builtin:<name>"` for a shipped file with defaults. */
export const TraceSourceSchema = z.union([
  z.string().refine((s) => s.startsWith('builtin:') && isBuiltinName(s.slice('builtin:'.length)), {
    message: `one of ${Object.keys(BUILTIN_TRACES).map((n) => `"builtin:${n}"`).join(' | ')} or a {format, path, ...} object`,
  }),
  TraceSourceObject,
]);

export type TraceSourceInput = z.input<typeof TraceSourceSchema>;
export type TraceSource = z.output<typeof TraceSourceObject>;
export type TraceOptions = TraceSource;
