// Measures the real engine's step time over a grid of batch shapes and writes it as the
// simulator's step table (`perf: {kind: table, file}`): whole steps (schedule + forward +
// sampling + update) as the engine runs them, repeated, with the median and the spread.
import { cpus, totalmem } from 'node:os';
import { LLMEngine, type StepTiming } from '../engine/llm-engine.ts';
import { parseSamplingParams } from '../engine/sampling-params.ts';
import type { GenerationDelta } from '../engine/types.ts';

export interface ProfileOptions {
  /** Model folder or tiny preset. */
  readonly model: string;
  readonly threads?: number;
  /** Prefill repetitions per prompt length; decode steps per (batch, context) point. */
  readonly repeats?: number;
  readonly prefill_tokens?: readonly number[];
  readonly decode_batch_sizes?: readonly number[];
  readonly decode_context_tokens?: readonly number[];
  readonly block_size_tokens?: number;
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

export interface ProfileResult {
  readonly rows: readonly ProfileRow[];
  readonly meta: Record<string, unknown>;
}

export const DEFAULT_GRID = {
  prefill_tokens: [16, 32, 64, 128, 256, 512, 1024],
  decode_batch_sizes: [1, 2, 4, 8, 16, 32],
  decode_context_tokens: [32, 128, 512],
} as const;

function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

function spread(values: readonly number[]): { median: number; p10: number; p90: number } {
  const s = [...values].sort((a, b) => a - b);
  return { median: quantile(s, 0.5), p10: quantile(s, 0.1), p90: quantile(s, 0.9) };
}

async function drain(stream: AsyncIterable<GenerationDelta>): Promise<void> {
  for await (const _ of stream);
}

/** Distinct prompts, so that no measurement is a prefix-cache hit (caching is off as well). */
function prompt(length: number, salt: number, vocab: number): number[] {
  return Array.from({ length }, (_, j) => (salt * 7919 + j * 104729 + 13) % Math.min(vocab, 4096));
}

export async function profileEngine(opts: ProfileOptions, onProgress?: (done: number, total: number) => void): Promise<ProfileResult> {
  const repeats = opts.repeats ?? 5;
  const prefillGrid = opts.prefill_tokens ?? DEFAULT_GRID.prefill_tokens;
  const batches = opts.decode_batch_sizes ?? DEFAULT_GRID.decode_batch_sizes;
  const contexts = opts.decode_context_tokens ?? DEFAULT_GRID.decode_context_tokens;
  const block = opts.block_size_tokens ?? 16;
  const maxB = Math.max(...batches);
  const maxL = Math.max(...contexts);
  const budget = Math.max(Math.max(...prefillGrid), maxB * maxL);
  const engine = await LLMEngine.create({
    model: opts.model, threads: opts.threads ?? 1, block_size_tokens: block, enable_prefix_caching: false,
    num_kv_blocks: maxB * Math.ceil((maxL + repeats + 2) / block) + 16, max_num_batched_tokens: budget, max_num_seqs: maxB,
  });
  const vocab = engine.model.arch.vocab_size;
  const kernel = engine.runner.kernel;
  const threads = engine.runner.threads;
  const steps: StepTiming[] = [];
  const off = engine.onStep((s) => steps.push(s));
  const rows: ProfileRow[] = [];
  const total = prefillGrid.length + batches.length * contexts.length;
  let done = 0;
  let salt = 0;
  try {
    for (const T of prefillGrid) {
      steps.length = 0;
      // One warm-up run, then `repeats` measured ones: a prefill-only step of one prompt.
      for (let r = 0; r <= repeats; r++) {
        await drain(engine.generate({ request_id: `p${salt}`, prompt_token_ids: prompt(T, salt++, vocab), sampling: parseSamplingParams({ max_tokens: 1, temperature: 0 }) }));
      }
      const ms = steps.filter((s) => s.prefill_tokens === T && s.decode_seqs === 0).slice(1).map((s) => s.step_ms);
      if (ms.length === 0) throw new Error(`profile: no prefill-only step of ${T} tokens ran; nothing to measure at this point`);
      const { median, p10, p90 } = spread(ms);
      rows.push({ phase: 'prefill', batch_size: 1, tokens: T, latency_ms: median, p10_ms: p10, p90_ms: p90, samples: ms.length });
      onProgress?.(++done, total);
    }
    for (const B of batches) {
      for (const L of contexts) {
        steps.length = 0;
        const sampling = parseSamplingParams({ max_tokens: repeats + 2, temperature: 0, ignore_eos: true });
        await Promise.all(Array.from({ length: B }, () => drain(engine.generate({ request_id: `d${salt}`, prompt_token_ids: prompt(L, salt++, vocab), sampling }))));
        // Decode-only steps of the whole batch; the first one is a warm-up.
        const decodes = steps.filter((s) => s.prefill_seqs === 0 && s.decode_seqs === B).slice(1);
        if (decodes.length === 0) throw new Error(`profile: no decode step ran all ${B} sequences of context ${L} together (preemptions?); nothing to measure at this point`);
        const { median, p10, p90 } = spread(decodes.map((s) => s.step_ms));
        const ctx = spread(decodes.map((s) => s.decode_context_tokens)).median;
        rows.push({ phase: 'decode', batch_size: B, tokens: Math.round(ctx), latency_ms: median, p10_ms: p10, p90_ms: p90, samples: decodes.length });
        onProgress?.(++done, total);
      }
    }
  } finally {
    off();
    await engine.shutdown();
  }
  const meta = {
    model: opts.model,
    arch: engine.model.arch,
    kernel,
    threads,
    block_size_tokens: block,
    repeats,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memory_gib: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    measured: 'whole engine steps (schedule + forward + sampling + update), median of repeats; p10/p90 beside',
  };
  return { rows, meta };
}

export function profileCsv(rows: readonly ProfileRow[]): string {
  const f = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(4));
  const lines = ['phase,batch_size,tokens,latency_ms,p10_ms,p90_ms,samples'];
  for (const r of rows) lines.push([r.phase, r.batch_size, r.tokens, f(r.latency_ms), f(r.p10_ms), f(r.p90_ms), r.samples].join(','));
  return `${lines.join('\n')}\n`;
}
