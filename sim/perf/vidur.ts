import type { StepBatch } from '../../engine/index.ts';
import { ConfigError } from '../errors.ts';
import { GridTable, interpolate, type Point, series, sumCurves } from './interpolate.ts';
import { decodeContext, type PerfModel } from './perf-model.ts';
import { numberCell, type ProfileRow, readProfileCsv } from './profile-csv.ts';

/**
 * Vidur's operator profiles (`mlp.csv`, `attention.csv`, `all_reduce.csv`, times in ms for one
 * GPU of a tensor-parallel group), composed into a step as Vidur's execution-time predictor does
 * (vidur/entities/execution_time.py, sklearn_execution_time_predictor.py; read, not copied):
 *
 *   step = layers × [input_layernorm + attn_pre_proj + attn_rope + attn_post_proj
 *                    + post_attention_layernorm + mlp_up_proj + mlp_act + mlp_down_proj + add
 *                    + attention_prefill + attention_decode + 2·(all_reduce + nccl launch)]
 *
 * - token-level operators are looked up at the step's tokens (Σ chunk tokens + one per decode)
 *   rounded up to a multiple of 8; like Vidur, the embedding and the LM head are not counted;
 * - prefill attention is looked up at (Σ over chunks of their context rounded up to
 *   `kv_granularity_tokens`, round(√Σ chunk²)), × (1 + batching overhead) when the step holds
 *   more than one chunk; decode attention at (decodes, ⌈⌊mean context⌋ / granularity⌉ × granularity),
 *   × (1 + batching overhead) when more than one decodes (the overhead applies to GQA models only);
 * - with tp > 1 each layer adds two all-reduces of the activation (tokens × n_embd × 2 bytes),
 *   read from `all_reduce.csv` at tp workers on one node, plus `nccl_launch_overhead_ms` each;
 * - where Vidur evaluates random-forest regressors fitted to these rows, fleetlab interpolates the
 *   rows piecewise-linearly (no training step; edge segments extended outside the profiled range).
 */
export interface VidurOptions {
  readonly mlp: string;
  readonly attention: string;
  readonly all_reduce?: string | undefined;
  /** Tensor-parallel degree: selects the rows profiled at this many workers. */
  readonly tp: number;
  /** Decoder layers of the served model (the profile measures one). */
  readonly layers: number;
  /** The model's KV heads and head size, checked against the profile's shape. */
  readonly kv_heads: number;
  readonly head_dim: number;
  /** Which time statistic to read (Vidur trains on the median). */
  readonly statistic: 'median' | 'mean';
  readonly kv_granularity_tokens: number;
  readonly attention_batching_overhead_fraction: number;
  readonly nccl_launch_overhead_ms: number;
}

const SHAPE = ['n_head', 'n_kv_head', 'n_embd', 'n_expanded_embd', 'vocab_size', 'use_gated_mlp'] as const;
const TOKEN_OPS = ['input_layernorm', 'attn_pre_proj', 'attn_rope', 'attn_post_proj', 'post_attention_layernorm', 'mlp_up_proj', 'mlp_act', 'mlp_down_proj', 'add'] as const;
/** Vidur fills these with 0 when a profile lacks them (older models have no post-attention norm or add). */
const OPTIONAL_OPS = new Set<string>(['input_layernorm', 'post_attention_layernorm', 'add']);
const ATTENTION_KEYS = ['n_embd', 'n_q_head', 'n_kv_head', 'block_size', 'num_tensor_parallel_workers', 'batch_size', 'prefill_chunk_size', 'kv_cache_size', 'is_prefill'] as const;

interface Shape {
  n_head: number;
  n_kv_head: number;
  n_embd: number;
}

function only<T>(file: string, what: string, values: Set<T>): T {
  if (values.size !== 1) throw ConfigError.single(what, 'one value in the rows selected', [...values].join(', ') || 'no rows', { source: file });
  return [...values][0] as T;
}

function loadMlp(o: VidurOptions): { perTokenLayerMs: Point[]; shape: Shape } {
  const stat = (op: string): string => `time_stats.${op}.${o.statistic}`;
  const required = [...SHAPE, 'num_tokens', 'num_tensor_parallel_workers', ...TOKEN_OPS.filter((op) => !OPTIONAL_OPS.has(op)).map(stat)];
  const rows = readProfileCsv(o.mlp, 'perf.mlp', required, 'Vidur mlp (token-level operators)').filter((r) => Number(r.cells.num_tensor_parallel_workers) === o.tp);
  if (rows.length === 0) throw ConfigError.single('perf.tp', 'a tensor-parallel degree profiled in the mlp file', o.tp, { source: o.mlp });
  const shapes = new Set(rows.map((r) => SHAPE.map((c) => r.cells[c]).join('/')));
  only(o.mlp, SHAPE.join('/'), shapes);
  const first = rows[0] as ProfileRow;
  const shape = { n_head: numberCell(o.mlp, first, 'n_head'), n_kv_head: numberCell(o.mlp, first, 'n_kv_head'), n_embd: numberCell(o.mlp, first, 'n_embd') };
  const present = TOKEN_OPS.filter((op) => first.cells[stat(op)] !== undefined);
  const curves = present.flatMap((op) => {
    const points = rows.filter((r) => r.cells[stat(op)] !== '').map((r) => ({ x: numberCell(o.mlp, r, 'num_tokens'), y: numberCell(o.mlp, r, stat(op)) }));
    // An optional operator with no measurement at this tp costs 0, as Vidur fills it.
    if (points.length === 0 && OPTIONAL_OPS.has(op)) return [];
    if (points.length === 0) throw ConfigError.single(stat(op), `a measurement at tp ${o.tp}`, 'empty cells only', { source: o.mlp });
    return [{ curve: series(points, `${o.mlp}: ${op}`), weight: 1 }];
  });
  return { perTokenLayerMs: sumCurves(curves), shape };
}

function loadAttention(o: VidurOptions, shape: Shape): { prefill: GridTable; decode: GridTable; gqa: boolean } {
  const prefillStat = `time_stats.attn_prefill.${o.statistic}`;
  const decodeStat = `time_stats.attn_decode.${o.statistic}`;
  const rows = readProfileCsv(o.attention, 'perf.attention', [...ATTENTION_KEYS, prefillStat, decodeStat], 'Vidur attention').filter(
    (r) => Number(r.cells.num_tensor_parallel_workers) === o.tp,
  );
  if (rows.length === 0) throw ConfigError.single('perf.tp', 'a tensor-parallel degree profiled in the attention file', o.tp, { source: o.attention });
  const heads = only(o.attention, 'n_embd/n_q_head/n_kv_head/block_size', new Set(rows.map((r) => `${r.cells.n_embd}/${r.cells.n_q_head}/${r.cells.n_kv_head}/${r.cells.block_size}`)));
  const [embd, q, kv] = heads.split('/').map(Number) as [number, number, number];
  if (embd !== shape.n_embd || q !== shape.n_head || kv !== shape.n_kv_head) {
    throw ConfigError.single('perf.attention', `a profile of the mlp file's model (n_embd ${shape.n_embd}, ${shape.n_head} q heads, ${shape.n_kv_head} kv heads)`, `n_embd ${embd}, ${q} q heads, ${kv} kv heads`, { source: o.attention });
  }
  const prefill: { keys: number[]; y: number }[] = [];
  const decode: { keys: number[]; y: number }[] = [];
  for (const r of rows) {
    if (r.cells.is_prefill === 'True') prefill.push({ keys: [numberCell(o.attention, r, 'prefill_chunk_size'), numberCell(o.attention, r, 'kv_cache_size')], y: numberCell(o.attention, r, prefillStat) });
    else decode.push({ keys: [numberCell(o.attention, r, 'batch_size'), numberCell(o.attention, r, 'kv_cache_size')], y: numberCell(o.attention, r, decodeStat) });
  }
  if (prefill.length === 0 || decode.length === 0) throw ConfigError.single('is_prefill', 'both prefill (True) and decode (False) rows', `${prefill.length} prefill, ${decode.length} decode rows`, { source: o.attention });
  return { prefill: GridTable.build(prefill, `${o.attention} (prefill)`), decode: GridTable.build(decode, `${o.attention} (decode)`), gqa: q > kv };
}

function loadAllReduce(o: VidurOptions, shape: Shape): Point[] | undefined {
  if (o.tp === 1) return undefined;
  if (o.all_reduce === undefined) throw ConfigError.single('perf.all_reduce', `a Vidur all_reduce.csv (tp ${o.tp} > 1 needs the all-reduce time)`, undefined);
  const file = o.all_reduce;
  const stat = `time_stats.all_reduce.${o.statistic}`;
  const rows = readProfileCsv(file, 'perf.all_reduce', ['num_workers', 'devices_per_node', 'size', 'collective', stat], 'Vidur all_reduce').filter(
    (r) => Number(r.cells.num_workers) === o.tp && Number(r.cells.devices_per_node) === o.tp && r.cells.collective === 'all_reduce',
  );
  if (rows.length === 0) throw ConfigError.single('perf.tp', 'a worker count profiled in the all_reduce file (num_workers = devices_per_node = tp)', o.tp, { source: file });
  // An activation of T tokens weighs T × n_embd × 2 bytes (fp16), as Vidur converts sizes.
  return series(rows.map((r) => ({ x: numberCell(file, r, 'size') / shape.n_embd / 2, y: numberCell(file, r, stat) })), file);
}

export function vidurPerfModel(name: string, options: VidurOptions): PerfModel {
  const { perTokenLayerMs, shape } = loadMlp(options);
  if (shape.n_kv_head !== options.kv_heads || shape.n_embd / shape.n_head !== options.head_dim) {
    throw ConfigError.single('model.kv_heads/head_dim', `the profile's ${shape.n_kv_head} kv heads of ${shape.n_embd / shape.n_head}`, `${options.kv_heads} kv heads of ${options.head_dim}`, { source: options.mlp });
  }
  const attention = loadAttention(options, shape);
  const allReduce = loadAllReduce(options, shape);
  const g = options.kv_granularity_tokens;
  const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;
  const batchingFactor = (n: number): number => (attention.gqa && n > 1 ? 1 + options.attention_batching_overhead_fraction : 1);

  type Prefills = StepBatch['prefills'];
  const price = (prefills: Prefills, decodes: number, decodeContextTotal: number): number => {
    if (prefills.length === 0 && decodes === 0) return 0;
    let tokens = decodes;
    let kv = 0;
    let squares = 0;
    for (const p of prefills) {
      tokens += p.new_tokens;
      kv += roundUp(p.context_tokens, g);
      squares += p.new_tokens * p.new_tokens;
    }
    const rounded = roundUp(tokens, 8);
    let layer = interpolate(perTokenLayerMs, rounded);
    if (prefills.length > 0) layer += attention.prefill.at2(Math.round(Math.sqrt(squares)), kv) * batchingFactor(prefills.length);
    if (decodes > 0) layer += attention.decode.at2(decodes, roundUp(Math.floor(decodeContextTotal / decodes), g)) * batchingFactor(decodes);
    if (allReduce !== undefined) layer += 2 * (interpolate(allReduce, rounded) + options.nccl_launch_overhead_ms);
    return options.layers * layer;
  };
  return {
    name,
    step_ms: (batch) => price(batch.prefills, batch.decodes.length, decodeContext(batch)),
    prefill_ms: (prompts) => price(prompts.map((n) => ({ new_tokens: n, context_tokens: 0 })), 0, 0),
    decode_ms: (batch, context) => price([], batch, context),
  };
}
