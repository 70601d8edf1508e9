import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { PerfModel } from './perf-model.ts';
import { ConfigError } from '../errors.ts';

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
 */
interface Point {
  x: number;
  y: number;
}

function interpolate(points: readonly Point[], x: number): number {
  const first = points[0];
  if (first === undefined) throw new Error('interpolate on an empty series');
  if (points.length === 1) return first.y;
  let i = 1;
  while (i < points.length - 1 && (points[i]?.x ?? Infinity) < x) i++;
  const a = points[i - 1] as Point;
  const b = points[i] as Point;
  return a.y + ((b.y - a.y) * (x - a.x)) / (b.x - a.x);
}

export function tablePerfModel(name: string, csvPath: string): PerfModel {
  let rows: Record<string, string>[];
  try {
    rows = parse(readFileSync(csvPath, 'utf8'), { columns: true, skip_empty_lines: true, trim: true });
  } catch (cause) {
    throw ConfigError.single('perf.profile', 'a readable CSV file with header phase,batch_size,tokens,latency_ms', csvPath, { cause });
  }
  const prefill: Point[] = [];
  const decode = new Map<number, Point[]>();
  rows.forEach((row, index) => {
    const line = index + 2;
    const num = (field: string): number => {
      const value = Number(row[field]);
      if (row[field] === undefined || row[field] === '' || !Number.isFinite(value) || value < 0) {
        throw ConfigError.single(field, 'a finite number >= 0', row[field], { source: `${csvPath}:${line}` });
      }
      return value;
    };
    const tokens = num('tokens');
    const latency = num('latency_ms');
    if (row.phase === 'prefill') prefill.push({ x: tokens, y: latency });
    else if (row.phase === 'decode') {
      const batch = num('batch_size');
      const series = decode.get(batch) ?? [];
      series.push({ x: tokens, y: latency });
      decode.set(batch, series);
    } else throw ConfigError.single('phase', "'prefill' or 'decode'", row.phase, { source: `${csvPath}:${line}` });
  });
  if (prefill.length === 0 || decode.size === 0) {
    throw ConfigError.single('perf.profile', 'at least one prefill row and one decode row', csvPath);
  }
  const byX = (a: Point, b: Point): number => a.x - b.x;
  prefill.sort(byX);
  for (const series of decode.values()) series.sort(byX);
  const batches = [...decode.keys()].sort((a, b) => a - b);

  const decodeAt = (batch: number, tokens: number): number => {
    const rowsAt = batches.map((b) => ({ x: b, y: interpolate(decode.get(b) as Point[], tokens) }));
    return interpolate(rowsAt, batch);
  };
  return {
    name,
    prefill_ms: (prompts) => interpolate(prefill, prompts.reduce((s, t) => s + t, 0)),
    decode_ms: decodeAt,
  };
}
