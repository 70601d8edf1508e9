// The profiling grid, run against a target that generates and reports its steps: one engine in
// this process, or a fleet of instance processes stepping at once (the fidelity loop profiles
// the fleet, so the table holds step times at the fleet's concurrency, with its reporting on).
import { quantileSorted } from 'simple-statistics';
import type { StepTiming } from '../engine/llm-engine.ts';
import { parseSamplingParams } from '../engine/sampling-params.ts';
import type { GenerationDelta, GenerationRequest } from '../engine/types.ts';
import { isotonic } from './isotonic.ts';
import { unixNowMs } from '../rpc/machine-clock.ts';

/** What the grid drives. */
export interface ProfileTarget {
  generate(request: GenerationRequest): AsyncIterable<GenerationDelta>;
  /** Every step of every engine of the target, as it ran. */
  onStep(listener: (engine: number, step: StepTiming) => void): () => void;
  /**
   * Engines that each get one copy of every measured request (sent at once; the target's
   * dispatch must spread them evenly, as round-robin does).
   */
  readonly copies: number;
  readonly vocab_size: number;
}

export interface GridOptions {
  /** Measured repetitions per prompt length; decode steps per (batch, context) point. */
  readonly repeats: number;
  readonly prefill_tokens: readonly number[];
  readonly decode_batch_sizes: readonly number[];
  readonly decode_context_tokens: readonly number[];
}

/** One row of the simulator's table (phase,batch_size,tokens,latency_ms) plus its spread. */
export interface ProfileRow {
  readonly phase: 'prefill' | 'decode';
  readonly batch_size: number;
  /** Prefill: prompt tokens; decode: Σ context tokens of the batch. */
  readonly tokens: number;
  readonly latency_ms: number;
  readonly p10_ms: number;
  readonly p90_ms: number;
  readonly samples: number;
}

/** The path around the engines, as a client of the target saw it (milliseconds). */
export interface FrontendSamples {
  /** Client send → the engine received the request. */
  readonly dispatch_ms: number[];
  /** The engine's step ended → the client received its tokens. */
  readonly delivery_ms: number[];
}

export const DEFAULT_GRID = {
  prefill_tokens: [16, 32, 64, 128, 256, 512, 1024],
  decode_batch_sizes: [1, 2, 4, 8, 16, 32],
  decode_context_tokens: [32, 128, 512],
} as const;

/** Median, P10 and P90 (simple-statistics' quantiles, as every summary of the project). */
export function spread(values: readonly number[]): { median: number; p10: number; p90: number } {
  const s = [...values].sort((a, b) => a - b);
  return { median: quantileSorted(s, 0.5), p10: quantileSorted(s, 0.1), p90: quantileSorted(s, 0.9) };
}

/** Consumes a stream, recording its dispatch and delivery latencies. */
async function drain(stream: AsyncIterable<GenerationDelta>, sent_unix_ms: number, frontend: FrontendSamples): Promise<void> {
  for await (const d of stream) {
    const received = unixNowMs();
    if (d.arrived_unix_ms !== undefined) frontend.dispatch_ms.push(d.arrived_unix_ms - sent_unix_ms);
    if (d.produced_unix_ms !== undefined && d.token_ids.length > 0) frontend.delivery_ms.push(received - d.produced_unix_ms);
  }
}

/** Distinct prompts, so that no measurement is a prefix-cache hit (caching is off as well). */
function prompt(length: number, salt: number, vocab: number): number[] {
  return Array.from({ length }, (_, j) => (salt * 7919 + j * 104729 + 13) % Math.min(vocab, 4096));
}

/** Tokens a decode point's requests generate beyond `repeats`: the prefill's, a warm-up and a spare step (measureGrid). */
const DECODE_TOKENS_BEYOND_REPEATS = 3;

/** KV blocks one engine needs for the grid's largest decode point. */
export function gridBlocks(grid: GridOptions, block_size_tokens: number): number {
  const maxB = Math.max(...grid.decode_batch_sizes);
  const maxL = Math.max(...grid.decode_context_tokens, ...grid.prefill_tokens);
  return maxB * Math.ceil((maxL + grid.repeats + DECODE_TOKENS_BEYOND_REPEATS) / block_size_tokens) + 16;
}

/** The token budget one step needs so that every grid point runs as one step. */
export function gridBudget(grid: GridOptions): number {
  return Math.max(Math.max(...grid.prefill_tokens), Math.max(...grid.decode_batch_sizes) * Math.max(...grid.decode_context_tokens));
}

export async function measureGrid(
  target: ProfileTarget,
  grid: GridOptions,
  onProgress?: (done: number, total: number) => void,
): Promise<{ rows: ProfileRow[]; frontend: FrontendSamples; non_forward_ms: number[] }> {
  const steps: StepTiming[] = [];
  // Schedule + sampling + update of every measured step: the step's cost outside the model.
  const non_forward_ms: number[] = [];
  const off = target.onStep((_, s) => {
    steps.push(s);
    non_forward_ms.push(s.step_ms - s.forward_ms);
  });
  const frontend: FrontendSamples = { dispatch_ms: [], delivery_ms: [] };
  const rows: ProfileRow[] = [];
  const total = grid.prefill_tokens.length + grid.decode_batch_sizes.length * grid.decode_context_tokens.length;
  let done = 0;
  let salt = 0;
  const send = (length: number, max_tokens: number): Promise<void> => {
    const sampling = parseSamplingParams({ max_tokens, temperature: 0, ignore_eos: true });
    const request = { request_id: `profile-${salt}`, prompt_token_ids: prompt(length, salt++, target.vocab_size), sampling };
    const sent_unix_ms = unixNowMs();
    return drain(target.generate(request), sent_unix_ms, frontend);
  };
  try {
    for (const T of grid.prefill_tokens) {
      steps.length = 0;
      // One warm-up round, then `repeats` measured ones: a prefill-only step of one prompt per engine.
      for (let r = 0; r <= grid.repeats; r++) await Promise.all(Array.from({ length: target.copies }, () => send(T, 1)));
      const ms = steps.filter((s) => s.prefill_tokens === T && s.decode_seqs === 0 && s.prefill_seqs === 1).slice(target.copies).map((s) => s.step_ms);
      if (ms.length === 0) throw new Error(`profile: no prefill-only step of ${T} tokens ran; nothing to measure at this point`);
      const { median, p10, p90 } = spread(ms);
      rows.push({ phase: 'prefill', batch_size: 1, tokens: T, latency_ms: median, p10_ms: p10, p90_ms: p90, samples: ms.length });
      onProgress?.(++done, total);
    }
    for (const B of grid.decode_batch_sizes) {
      for (const L of grid.decode_context_tokens) {
        steps.length = 0;
        // The prefill token, a warm-up decode, `repeats` measured ones, and one spare: the batch's
        // prompts reach the engine over two steps when its loop starts on the first (the first
        // request's decode then shares a step with the others' prefills), which cost one
        // full-batch decode, so `--repeats 1` measured nothing at any batch above 1.
        await Promise.all(Array.from({ length: B * target.copies }, () => send(L, grid.repeats + DECODE_TOKENS_BEYOND_REPEATS)));
        // Decode-only steps of a whole batch; each engine's first one is a warm-up.
        const decodes = steps.filter((s) => s.prefill_seqs === 0 && s.decode_seqs === B).slice(target.copies);
        if (decodes.length === 0) throw new Error(`profile: no decode step ran all ${B} sequences of context ${L} together (preemptions?); nothing to measure at this point`);
        const { median, p10, p90 } = spread(decodes.map((s) => s.step_ms));
        const ctx = spread(decodes.map((s) => s.decode_context_tokens)).median;
        rows.push({ phase: 'decode', batch_size: B, tokens: Math.round(ctx), latency_ms: median, p10_ms: p10, p90_ms: p90, samples: decodes.length });
        onProgress?.(++done, total);
      }
    }
  } finally {
    off();
  }
  return { rows, frontend, non_forward_ms };
}

/**
 * A measured table the simulator can price any step with. Noise can make a measured series
 * dip (a larger shape timed faster than a smaller one) and the table extends its end segments
 * linearly, so a steep first segment priced a smaller step below zero (an error). Step time
 * never falls as a batch grows, so each series (prefill; decode per batch size) is replaced by
 * its isotonic fit along tokens (isotonic.ts: dips pooled with their neighbours, weighted by
 * samples), and gets a row at 0 tokens equal to its first fitted time: below the smallest
 * measured shape a step costs what that shape cost.
 */
export function monotoneTable(rows: readonly ProfileRow[]): ProfileRow[] {
  const series = new Map<string, ProfileRow[]>();
  for (const r of rows) {
    const key = r.phase === 'prefill' ? 'prefill' : `decode:${r.batch_size}`;
    series.set(key, [...(series.get(key) ?? []), r]);
  }
  const out: ProfileRow[] = [];
  for (const list of series.values()) {
    const sorted = [...list].sort((a, b) => a.tokens - b.tokens);
    const fitted = isotonic(sorted.map((r) => r.latency_ms), sorted.map((r) => Math.max(1, r.samples)));
    const first = sorted[0] as ProfileRow;
    if (first.tokens > 0) out.push({ ...first, tokens: 0, latency_ms: fitted[0]!, samples: 0 });
    for (const [i, r] of sorted.entries()) out.push({ ...r, latency_ms: fitted[i]! });
  }
  return out;
}

export function profileCsv(rows: readonly ProfileRow[]): string {
  const f = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(4));
  const lines = ['phase,batch_size,tokens,latency_ms,p10_ms,p90_ms,samples'];
  for (const r of rows) lines.push([r.phase, r.batch_size, r.tokens, f(r.latency_ms), f(r.p10_ms), f(r.p90_ms), r.samples].join(','));
  return `${lines.join('\n')}\n`;
}
