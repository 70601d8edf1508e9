import { join } from 'node:path';
import type { StepBatch } from '../../engine/index.ts';
import { ConfigError } from '../errors.ts';
import { GridTable, interpolate, type Point, series, sumCurves } from './interpolate.ts';
import { decodeContext, type PerfModel } from './perf-model.ts';
import { numberCell, type ProfileRow, readProfileCsv } from './profile-csv.ts';

/**
 * LLMServingSim's layer-wise profile (its `profiler/perf/<hw>/<model>/<dtype>/tp<k>/` folder:
 * `dense.csv`, `per_sequence.csv`, `attention.csv`, times in µs for ONE decoder layer), composed
 * into a step as LLMServingSim's Llama catalogue orders the layers. A step with T new tokens
 * (every prefill chunk's tokens + one per decode) over S sequences costs
 *
 *   embedding(T) + final_layernorm(T) + lm_head(S) + sampler(S)
 *   + layers × [2·layernorm(T) + qkv_proj(T) + rotary_emb(T) + o_proj(T) + gate_up_proj(T)
 *               + act_fn(T) + down_proj(T) + attention(batch)]
 *
 * - dense and per-sequence layers interpolate piecewise-linearly in T or S (edge segments extended);
 *   the dense terms are summed once at load into one curve of T (exact: same breakpoints);
 * - attention(batch) is the profile's mixed-step attention, keyed by (prefill chunk, KV the
 *   prefilling sequence already holds, decoding sequences, mean KV per decoding sequence),
 *   interpolated multilinearly. The profile holds ONE prefilling sequence per step: the first
 *   chunk of the plan is looked up with the decodes, and every further chunk adds its own
 *   prefill-only attention (kernels run sequences independently; this over-counts one launch per
 *   extra chunk). Decode-only and prefill-only steps read their own (larger) sub-grids.
 * - the skew correction (`skew_fit.csv`) is not applied: the shipped profile was measured with it
 *   disabled (`meta.yaml`: `skew_fit.enabled: false`), and decode KV is taken as the batch mean.
 */
export const LLMSERVINGSIM_FILES = {
  dense: { file: 'dense.csv', columns: ['layer', 'tokens', 'time_us'] },
  per_sequence: { file: 'per_sequence.csv', columns: ['layer', 'sequences', 'time_us'] },
  attention: { file: 'attention.csv', columns: ['prefill_chunk', 'kv_prefill', 'n_decode', 'kv_decode', 'time_us'] },
} as const;

/** Dense layers once per step, and per decoder layer with their multiplicity. */
const STEP_DENSE = ['embedding', 'final_layernorm'] as const;
const LAYER_DENSE: readonly (readonly [string, number])[] = [
  ['layernorm', 2],
  ['qkv_proj', 1],
  ['rotary_emb', 1],
  ['o_proj', 1],
  ['gate_up_proj', 1],
  ['act_fn', 1],
  ['down_proj', 1],
];
const PER_SEQUENCE = ['lm_head', 'sampler'] as const;

export interface LlmServingSimOptions {
  /** The tp<k> folder holding dense.csv, per_sequence.csv and attention.csv. */
  readonly dir: string;
  /** Decoder layers of the served model (the profile measures one). */
  readonly layers: number;
}

function curvesByLayer(file: string, rows: readonly ProfileRow[], xColumn: string): Map<string, Point[]> {
  const byLayer = new Map<string, Point[]>();
  for (const row of rows) {
    const layer = row.cells.layer ?? '';
    const points = byLayer.get(layer) ?? [];
    points.push({ x: numberCell(file, row, xColumn), y: numberCell(file, row, 'time_us') / 1000 });
    byLayer.set(layer, points);
  }
  for (const [layer, points] of byLayer) series(points, `${file}: layer ${layer}`);
  return byLayer;
}

function need(file: string, curves: Map<string, Point[]>, layer: string): Point[] {
  const curve = curves.get(layer);
  if (curve === undefined) {
    throw ConfigError.single('layer', `a row for layer "${layer}" (LLMServingSim's Llama layers)`, `only ${[...curves.keys()].join(', ')}`, { source: file });
  }
  return curve;
}

export function llmServingSimPerfModel(name: string, options: LlmServingSimOptions): PerfModel {
  const path = (part: keyof typeof LLMSERVINGSIM_FILES): string => join(options.dir, LLMSERVINGSIM_FILES[part].file);
  const read = (part: keyof typeof LLMSERVINGSIM_FILES): ProfileRow[] =>
    readProfileCsv(path(part), 'perf.dir', LLMSERVINGSIM_FILES[part].columns, `LLMServingSim ${part}`);

  const dense = curvesByLayer(path('dense'), read('dense'), 'tokens');
  const perTokenMs = sumCurves([
    ...STEP_DENSE.map((layer) => ({ curve: need(path('dense'), dense, layer), weight: 1 })),
    ...LAYER_DENSE.map(([layer, times]) => ({ curve: need(path('dense'), dense, layer), weight: times * options.layers })),
  ]);
  const perSequence = curvesByLayer(path('per_sequence'), read('per_sequence'), 'sequences');
  const perSequenceMs = sumCurves(PER_SEQUENCE.map((layer) => ({ curve: need(path('per_sequence'), perSequence, layer), weight: 1 })));

  // Attention, split by which parts the step has (each sub-grid is as large as profiled).
  const decodeOnly: { keys: number[]; y: number }[] = [];
  const prefillOnly: { keys: number[]; y: number }[] = [];
  const mixed: { keys: number[]; y: number }[] = [];
  const attentionFile = path('attention');
  for (const row of read('attention')) {
    const chunk = numberCell(attentionFile, row, 'prefill_chunk');
    const kvPrefill = numberCell(attentionFile, row, 'kv_prefill');
    const decodes = numberCell(attentionFile, row, 'n_decode');
    const kvDecode = numberCell(attentionFile, row, 'kv_decode');
    const y = numberCell(attentionFile, row, 'time_us') / 1000;
    if (chunk === 0 && decodes === 0) continue;
    if (chunk === 0) decodeOnly.push({ keys: [decodes, kvDecode], y });
    else if (decodes === 0) prefillOnly.push({ keys: [chunk, kvPrefill], y });
    else mixed.push({ keys: [chunk, kvPrefill, decodes, kvDecode], y });
  }
  for (const [part, rows] of [['decode-only (prefill_chunk 0)', decodeOnly], ['prefill-only (n_decode 0)', prefillOnly], ['mixed', mixed]] as const) {
    if (rows.length === 0) throw ConfigError.single('attention', `${part} rows`, 'none', { source: attentionFile });
  }
  const decodeGrid = GridTable.build(decodeOnly, `${attentionFile} (decode-only)`);
  const prefillGrid = GridTable.build(prefillOnly, `${attentionFile} (prefill-only)`);
  const mixedGrid = GridTable.build(mixed, `${attentionFile} (mixed)`);

  type Prefills = StepBatch['prefills'];
  /** Attention of one layer; decodes enter as their count and Σ context (the mean is what is looked up). */
  const attentionMs = (prefills: Prefills, decodes: number, decodeContext: number): number => {
    const kvDecode = decodes > 0 ? decodeContext / decodes : 0;
    const first = prefills[0];
    let ms: number;
    if (first === undefined) ms = decodeGrid.at2(decodes, kvDecode);
    else if (decodes === 0) ms = prefillGrid.at2(first.new_tokens, first.context_tokens);
    else ms = mixedGrid.at4(first.new_tokens, first.context_tokens, decodes, kvDecode);
    for (let i = 1; i < prefills.length; i++) {
      const p = prefills[i] as Prefills[number];
      ms += prefillGrid.at2(p.new_tokens, p.context_tokens);
    }
    return ms;
  };

  const price = (prefills: Prefills, decodes: number, decodeContext: number): number => {
    const sequences = prefills.length + decodes;
    if (sequences === 0) return 0;
    let tokens = decodes;
    for (const p of prefills) tokens += p.new_tokens;
    return interpolate(perTokenMs, tokens) + interpolate(perSequenceMs, sequences) + options.layers * attentionMs(prefills, decodes, decodeContext);
  };

  return {
    name,
    step_ms: (batch) => price(batch.prefills, batch.decodes.length, decodeContext(batch)),
    prefill_ms: (prompts) => price(prompts.map((n) => ({ new_tokens: n, context_tokens: 0 })), 0, 0),
    decode_ms: (batch, context) => price([], batch, context),
  };
}
