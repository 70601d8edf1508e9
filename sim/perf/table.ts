import { decodeContext, type PerfModel, wholePrompts } from './perf-model.ts';
import { interpolate, type Point, segmentEnd } from './interpolate.ts';
import { numberCell, readProfileCsv } from './profile-csv.ts';
import { ConfigError } from '../errors.ts';

/** The columns of fleetlab's own step table (the header is checked once, before any row). */
export const TABLE_COLUMNS = ['phase', 'batch_size', 'tokens', 'latency_ms'] as const;

/**
 * A profiled step-latency table: CSV rows `phase,batch_size,tokens,latency_ms` with phase
 * `prefill` or `decode` (e.g. written by the real backend's profiler).
 *
 * - prefill is keyed by the batch's total prompt tokens (as the Llumnix simulator looked a
 *   batch up as one sequence of the summed length); `batch_size` is ignored for it;
 * - decode is keyed by (batch size, total context tokens): linear in tokens within each
 *   profiled batch size, then linear between the two neighbouring batch sizes.
 * Outside the profiled range the nearest segment is extended linearly (never clipped
 * silently to a constant), and a negative result is an error.
 *
 * Lookups are binary searches (a 12k-row table costs what a 500-row one does); decode reads
 * only the two profiled batch sizes around the batch. Steps of the v1 engine:
 * - a prefill chunk is looked up by its new tokens (the context it attends to is ignored: the
 *   table has no such axis);
 * - a mixed step costs prefill(Σ chunk tokens) + decode(B, ΣL) − shared, where shared is the
 *   table's one-request, zero-context decode (the fixed per-step cost, paid once), clamped to
 *   [0, the smaller part].
 */
export function tablePerfModel(name: string, csvPath: string): PerfModel {
  const rows = readProfileCsv(csvPath, 'perf.file', TABLE_COLUMNS, 'fleetlab step-table');
  const prefill: Point[] = [];
  const decode = new Map<number, Point[]>();
  for (const row of rows) {
    const tokens = numberCell(csvPath, row, 'tokens');
    const latency = numberCell(csvPath, row, 'latency_ms');
    const phase = row.cells.phase;
    if (phase === 'prefill') prefill.push({ x: tokens, y: latency });
    else if (phase === 'decode') {
      const batch = numberCell(csvPath, row, 'batch_size');
      const series = decode.get(batch) ?? [];
      series.push({ x: tokens, y: latency });
      decode.set(batch, series);
    } else throw ConfigError.single('phase', "'prefill' or 'decode'", phase, { source: `${csvPath}:${row.line}` });
  }
  if (prefill.length === 0 || decode.size === 0) {
    throw ConfigError.single('perf.profile', 'at least one prefill row and one decode row', csvPath);
  }
  const byX = (a: Point, b: Point): number => a.x - b.x;
  prefill.sort(byX);
  for (const series of decode.values()) series.sort(byX);
  const batches = [...decode.keys()].sort((a, b) => a - b);

  const batchPoints: Point[] = batches.map((b) => ({ x: b, y: 0 }));
  const decodeAt = (batch: number, tokens: number): number => {
    const at = (b: number): Point => ({ x: b, y: interpolate(decode.get(b) as Point[], tokens) });
    if (batches.length === 1) return at(batches[0] as number).y;
    const i = segmentEnd(batchPoints, batch);
    return interpolate([at(batches[i - 1] as number), at(batches[i] as number)], batch);
  };
  const prefillAt = (prompts: readonly number[]): number => interpolate(prefill, prompts.reduce((s, t) => s + t, 0));
  return {
    name,
    prefill_ms: prefillAt,
    decode_ms: decodeAt,
    step_ms(batch) {
      const hasPrefill = batch.prefills.length > 0;
      const hasDecode = batch.decodes.length > 0;
      if (!hasPrefill && !hasDecode) return 0;
      if (!hasPrefill) return decodeAt(batch.decodes.length, decodeContext(batch));
      const chunks = wholePrompts(batch) ?? batch.prefills.map((p) => p.new_tokens);
      const prefillPart = prefillAt(chunks);
      if (!hasDecode) return prefillPart;
      const decodePart = decodeAt(batch.decodes.length, decodeContext(batch));
      const shared = Math.min(Math.max(0, decodeAt(1, 0)), prefillPart, decodePart);
      return prefillPart + decodePart - shared;
    },
  };
}
