import { z } from 'zod';
import type { Rng } from './request.ts';
import { TraceError } from './errors.ts';
import { TraceSourceSchema } from './loaders/source.ts';
import type { TraceLoader } from './lengths/sample.ts';
import { sampleExponential, sampleGamma } from './sampling.ts';

const Rate = z.number().positive().finite();

/**
 * When requests arrive. As in Llumnix's benchmark client, the first request arrives at t = 0
 * and each later one after an independent gap, so n requests consume n − 1 gaps.
 */
export const ArrivalConfigSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('poisson'),
    /** Mean request rate; gaps are Exp(mean 1/rate). Requests per second. */
    rate_per_s: Rate,
  }),
  z
    .strictObject({
      kind: z.literal('gamma'),
      /** Mean request rate. Requests per second. */
      rate_per_s: Rate,
      /** Coefficient of variation of the gaps (Llumnix `--cv`): shape 1/cv², scale cv²/rate. Unitless. */
      cv: z.number().positive().finite().optional(),
      /** Gamma shape (vLLM `--burstiness`) = 1/cv²: < 1 burstier, 1 Poisson, > 1 more regular. Unitless. */
      burstiness: z.number().positive().finite().optional(),
    })
    .refine((c) => (c.cv === undefined) !== (c.burstiness === undefined), {
      message: 'exactly one of cv or burstiness',
    }),
  z.strictObject({
    kind: z.literal('uniform'),
    /** Requests arrive exactly 1/rate apart. Requests per second. */
    rate_per_s: Rate,
  }),
  z.strictObject({
    /** Everything at t = 0 (vLLM's `--request-rate inf`, Llumnix's default). */
    kind: z.literal('burst'),
  }),
  z.strictObject({
    kind: z.literal('replay'),
    /** Arrival times from a trace with timestamps (after its window, rebase and time_scale). */
    trace: TraceSourceSchema,
  }),
]);

export type ArrivalConfigInput = z.input<typeof ArrivalConfigSchema>;
export type ArrivalConfig = z.output<typeof ArrivalConfigSchema>;

/** The Gamma shape (k) a gamma config asks for; cv and burstiness are two spellings of it. */
export function gammaShape(config: Extract<ArrivalConfig, { kind: 'gamma' }>): number {
  if (config.burstiness !== undefined) return config.burstiness;
  const cv = config.cv ?? 1;
  return 1 / (cv * cv);
}

/**
 * n arrival times in seconds, non-decreasing for synthetic processes; a replayed trace keeps
 * its file order (the composer sorts). Uses only `rng` (and `load` for replay).
 */
export function generateArrivals(config: ArrivalConfig, n: number, rng: Rng, load: TraceLoader): number[] {
  if (config.kind === 'replay') return replayTimes(config.trace, n, load);
  const times = new Array<number>(n);
  let t = 0;
  for (let i = 0; i < n; i++) {
    if (i > 0) t += nextGap(config, rng);
    times[i] = t;
  }
  return times;
}

function nextGap(config: Exclude<ArrivalConfig, { kind: 'replay' }>, rng: Rng): number {
  switch (config.kind) {
    case 'poisson':
      return sampleExponential(rng, 1 / config.rate_per_s);
    case 'gamma': {
      const shape = gammaShape(config);
      // scale = 1 / (rate · shape) makes the mean gap 1/rate whatever the shape.
      return sampleGamma(rng, shape) / (config.rate_per_s * shape);
    }
    case 'uniform':
      return 1 / config.rate_per_s;
    case 'burst':
      return 0;
  }
}

function replayTimes(source: z.output<typeof TraceSourceSchema>, n: number, load: TraceLoader): number[] {
  const trace = load(source);
  if (trace.rows.length < n) {
    throw new TraceError({ file: trace.file, value: n, expected: `at most ${trace.rows.length} requests to replay (the rows kept)` });
  }
  return trace.rows.slice(0, n).map((row) => {
    if (row.arrival_s === undefined) {
      throw new TraceError({ file: trace.file, line: row.line, field: 'arrival', expected: `a ${trace.format} trace with timestamps for replay` });
    }
    return row.arrival_s;
  });
}
