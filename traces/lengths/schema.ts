import { z } from 'zod';
import { TraceSourceSchema } from '../loaders/source.ts';
import { checkKnots } from './quantiles.ts';
import { QUANTILE_PRESET_NAMES } from './presets.ts';

const Tokens = z.number().int().positive();
/** Llumnix's default `--range`: the longest length its synthetic generators produce. */
export const LLUMNIX_RANGE_TOKENS = 6144;

/** How rows of a trace file are turned into n lengths. */
export const TraceOrder = z.enum(['sample', 'sequential']);

const Zipf = z.strictObject({
  kind: z.literal('zipf'),
  /** Target mean; the batch is rescaled to hit it exactly (before ceil and cap). Tokens. */
  mean_tokens: Tokens,
  /** Cap applied after rescaling (Llumnix `--range`). Tokens. */
  range_tokens: Tokens.default(LLUMNIX_RANGE_TOKENS),
  /** Exponent of P(k) ∝ k^−alpha; default is Llumnix's per-mean table (2.0 for 128, 1.5 for 256, …). Unitless. */
  alpha: z.number().positive().optional(),
});

const Uniform = z
  .strictObject({
    kind: z.literal('uniform'),
    /** Centre of the interval. Tokens. */
    mean_tokens: Tokens,
    /** Width of the interval: lengths lie in mean ± range/2. Tokens. */
    range_tokens: z.number().int().nonnegative(),
  })
  .refine((c) => Math.ceil(c.mean_tokens - c.range_tokens / 2) >= 1, {
    message: 'mean_tokens − range_tokens/2 >= 1 (every length at least 1 token)',
    path: ['range_tokens'],
  });

const Exponential = z.strictObject({
  kind: z.literal('exponential'),
  /** Mean of the exponential before the cap. Tokens. */
  mean_tokens: Tokens,
  /** Values above this become this (Llumnix "exponential"). Tokens. */
  range_tokens: Tokens.default(LLUMNIX_RANGE_TOKENS),
});

const CappedExponential = z.strictObject({
  kind: z.literal('capped_exponential'),
  /** Mean of the exponential before truncation. Tokens. */
  mean_tokens: Tokens,
  /** Draws above this are redrawn (truncation, not clipping). Tokens. */
  range_tokens: Tokens.default(LLUMNIX_RANGE_TOKENS),
});

const Fixed = z.strictObject({
  kind: z.literal('fixed'),
  /** Every request gets exactly this many. Tokens. */
  tokens: Tokens,
});

const Quantiles = z
  .strictObject({
    kind: z.literal('quantiles'),
    /** [probability, tokens] knots of the inverse CDF, from probability 0 to 1. */
    points: z.array(z.tuple([z.number().min(0).max(1), z.number().positive()])).min(2),
    /** Between knots: straight lines (`linear`) or geometric (`log`, for heavy tails). */
    interpolation: z.enum(['linear', 'log']).default('linear'),
  })
  .superRefine((c, ctx) => {
    const problem = checkKnots(c.points, c.interpolation);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['points'], input: c.points });
  });

const QuantilePreset = z.strictObject({
  kind: z.literal('quantile_preset'),
  /** A Table 1-matched distribution from Llumnix (see presets.ts for knots and endpoints). */
  name: z.enum(QUANTILE_PRESET_NAMES),
});

const File = z.strictObject({
  kind: z.literal('file'),
  /** Where the lengths come from; the column (prompt or output) follows the slot this config fills. */
  trace: TraceSourceSchema,
  /** `sample`: uniform with replacement; `sequential`: rows in file order (n must not exceed the rows). */
  order: TraceOrder.default('sample'),
  /** Truncate longer lengths to this, as Llumnix does with 6144 for BurstGPT. Tokens. */
  cap_tokens: Tokens.optional(),
});

/** One length distribution (for prompts or for outputs). */
export const LengthConfigSchema = z.discriminatedUnion('kind', [
  Zipf,
  Uniform,
  Exponential,
  CappedExponential,
  Fixed,
  Quantiles,
  QuantilePreset,
  File,
]);

export type LengthConfigInput = z.input<typeof LengthConfigSchema>;
export type LengthConfig = z.output<typeof LengthConfigSchema>;
