// Measures the real engine's step time over a grid of batch shapes and writes it as the
// simulator's step table (`perf: {kind: table, file}`): whole steps (schedule + forward +
// sampling + update) as the engine runs them, repeated, with the median and the spread.
import { cpus, totalmem } from 'node:os';
import { LLMEngine } from '../engine/llm-engine.ts';
import { DEFAULT_GRID, gridBlocks, gridBudget, measureGrid, spread, type FrontendSamples, type GridOptions, type ProfileRow } from './profile-grid.ts';

export { DEFAULT_GRID, profileCsv, type ProfileRow } from './profile-grid.ts';

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

export interface ProfileResult {
  readonly rows: readonly ProfileRow[];
  readonly meta: Record<string, unknown>;
  /** Dispatch and delivery latency around the engines, as the profiling client saw them. */
  readonly frontend: FrontendSamples;
  /** step_ms − forward_ms of every step: scheduling, sampling and bookkeeping (already inside each table row). */
  readonly non_forward_ms: readonly number[];
}

export function gridOf(opts: ProfileOptions): GridOptions {
  return {
    repeats: opts.repeats ?? 5,
    prefill_tokens: opts.prefill_tokens ?? DEFAULT_GRID.prefill_tokens,
    decode_batch_sizes: opts.decode_batch_sizes ?? DEFAULT_GRID.decode_batch_sizes,
    decode_context_tokens: opts.decode_context_tokens ?? DEFAULT_GRID.decode_context_tokens,
  };
}

/** The machine and engine a profile was measured on (profile.json). */
export function machineMeta(extra: Record<string, unknown>): Record<string, unknown> {
  return {
    ...extra,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memory_gib: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
}

/** Profiles one engine in this process (no RPC, no other engine competing). */
export async function profileEngine(opts: ProfileOptions, onProgress?: (done: number, total: number) => void): Promise<ProfileResult> {
  const grid = gridOf(opts);
  const block = opts.block_size_tokens ?? 16;
  const budget = gridBudget(grid);
  const engine = await LLMEngine.create({
    model: opts.model, threads: opts.threads ?? 1, block_size_tokens: block, enable_prefix_caching: false,
    num_kv_blocks: gridBlocks(grid, block), max_num_batched_tokens: budget, max_num_seqs: Math.max(...grid.decode_batch_sizes),
  });
  try {
    const { rows, frontend, non_forward_ms } = await measureGrid(
      { generate: (r) => engine.generate(r), onStep: (l) => engine.onStep((s) => l(0, s)), copies: 1, vocab_size: engine.model.arch.vocab_size },
      grid,
      onProgress,
    );
    const meta = machineMeta({
      model: opts.model, arch: engine.model.arch, kernel: engine.runner.kernel, threads: engine.runner.threads, block_size_tokens: block,
      repeats: grid.repeats, engines: 1, where: 'one engine in the profiling process',
      measured: 'whole engine steps (schedule + forward + sampling + update), median of repeats; p10/p90 beside',
    });
    return { rows, meta, frontend, non_forward_ms };
  } finally {
    await engine.shutdown();
  }
}

/** Seconds from creating an engine to serving (model open, runner, KV pool), median of `repeats` starts after one warm-up. */
export async function profileStartup(model: string, opts: { threads?: number; num_kv_blocks?: number; repeats?: number } = {}): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r <= (opts.repeats ?? 3); r++) {
    const t0 = performance.now();
    const engine = await LLMEngine.create({ model, threads: opts.threads ?? 1, num_kv_blocks: opts.num_kv_blocks ?? 256 });
    const s = (performance.now() - t0) / 1e3;
    await engine.shutdown();
    // The first start may convert the checkpoint once; later starts are what a restart costs.
    if (r > 0) times.push(s);
  }
  return spread(times).median;
}
