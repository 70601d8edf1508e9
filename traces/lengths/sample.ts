import type { Rng } from '../request.ts';
import type { LoadedTrace, TraceSourceInput } from '../loaders/source.ts';
import { TraceError } from '../errors.ts';
import { QUANTILE_PRESETS } from './presets.ts';
import { sampleQuantiles } from './quantiles.ts';
import type { LengthConfig } from './schema.ts';
import { fixedLengths, sampleCappedExponentialLengths, sampleExponentialLengths, sampleUniformLengths } from './simple.ts';
import { llumnixZipfAlpha, sampleZipfLengths } from './zipf.ts';

/** Loads (and caches) a trace for a config; injected so length sampling does no file I/O itself. */
export type TraceLoader = (source: TraceSourceInput) => LoadedTrace;

/** Which column of a trace a `file` length source reads. */
export type LengthSlot = 'prompt' | 'output';

/** n lengths from one distribution, all drawn from `rng`, in request order. */
export function sampleLengths(config: LengthConfig, slot: LengthSlot, n: number, rng: Rng, load: TraceLoader): number[] {
  switch (config.kind) {
    case 'zipf':
      return sampleZipfLengths({ ...config, alpha: config.alpha ?? llumnixZipfAlpha(config.mean_tokens) }, n, rng);
    case 'uniform':
      return sampleUniformLengths(config.mean_tokens, config.range_tokens, n, rng);
    case 'exponential':
      return sampleExponentialLengths(config.mean_tokens, config.range_tokens, n, rng);
    case 'capped_exponential':
      return sampleCappedExponentialLengths(config.mean_tokens, config.range_tokens, n, rng);
    case 'fixed':
      return fixedLengths(config.tokens, n);
    case 'quantiles':
      return sampleQuantiles(config.points, config.interpolation, n, rng);
    case 'quantile_preset': {
      const preset = QUANTILE_PRESETS[config.name];
      return sampleQuantiles(preset.knots, preset.interpolation, n, rng);
    }
    case 'file': {
      const trace = load(config.trace);
      const rows = pickRows(trace, config.order, n, rng);
      const cap = config.cap_tokens ?? Number.POSITIVE_INFINITY;
      return rows.map((i) => {
        const row = trace.rows[i];
        const v = slot === 'prompt' ? row?.prompt_tokens : row?.output_tokens;
        return Math.min(cap, v ?? 0);
      });
    }
  }
}

/**
 * Row indices for n requests: with replacement (one uniform each) or the first n rows in order
 * (no uniforms). Asking for more rows than a sequential trace has is an error rather than a
 * silent wrap-around, which would repeat requests the user did not ask for.
 */
export function pickRows(trace: LoadedTrace, order: 'sample' | 'sequential', n: number, rng: Rng): number[] {
  const count = trace.rows.length;
  if (count === 0) throw new TraceError({ file: trace.file, expected: 'at least one usable row', value: trace.dropped });
  if (order === 'sample') return Array.from({ length: n }, () => Math.floor(rng() * count));
  if (n > count) {
    throw new TraceError({ file: trace.file, value: n, expected: `at most ${count} requests for sequential order (the rows kept)` });
  }
  return Array.from({ length: n }, (_, i) => i);
}
