/**
 * Piecewise-linear lookups shared by the profiled perf models. Outside the profiled range the
 * nearest segment is extended linearly (never clipped silently to a constant); a series of one
 * point is that constant.
 */
export interface Point {
  x: number;
  y: number;
}

/** The segment [i−1, i] used for x: the first i ≥ 1 with xᵢ ≥ x, else the last one. */
export function segmentEnd(points: readonly { x: number }[], x: number): number {
  let lo = 1;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((points[mid] as { x: number }).x < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function interpolate(points: readonly Point[], x: number): number {
  const first = points[0];
  if (first === undefined) throw new Error('interpolate on an empty series');
  if (points.length === 1) return first.y;
  const i = segmentEnd(points, x);
  const a = points[i - 1] as Point;
  const b = points[i] as Point;
  return a.y + ((b.y - a.y) * (x - a.x)) / (b.x - a.x);
}

/**
 * Sorts by x; repeated measurements of one x (profiles hold a few: Vidur's token grid repeats
 * some counts) become their mean, so the series is a function again. `where` names it in errors.
 */
export function series(points: Point[], where: string): Point[] {
  points.sort((a, b) => a.x - b.x);
  const merged: Point[] = [];
  let i = 0;
  while (i < points.length) {
    const x = (points[i] as Point).x;
    if (!Number.isFinite(x)) throw new Error(`${where}: key ${x} is not a finite number`);
    let sum = 0;
    let n = 0;
    for (; i < points.length && (points[i] as Point).x === x; i++, n++) sum += (points[i] as Point).y;
    merged.push({ x, y: sum / n });
  }
  return merged;
}

/**
 * Σ of piecewise-linear curves, as one curve on the union of their grid points. Exact: between
 * two union points every term is linear (its own segment or its extended edge), so the sum is too.
 */
export function sumCurves(terms: readonly { readonly curve: readonly Point[]; readonly weight: number }[]): Point[] {
  const xs = [...new Set(terms.flatMap((t) => t.curve.map((p) => p.x)))].sort((a, b) => a - b);
  return xs.map((x) => {
    let y = 0;
    for (const t of terms) y += t.weight * interpolate(t.curve, x);
    return { x, y };
  });
}

/**
 * A function of n keys measured on a grid that need not be rectangular (a triangular
 * chunk + kv ≤ max grid, a mixed-batch grid with fewer decode sizes than the decode-only one):
 * the first key selects the two neighbouring measured values, each evaluated recursively on the
 * remaining keys, then interpolated linearly between them; the last key is a series.
 */
export class GridTable {
  private readonly keys: number[];
  /** The keys as `{x}` for the binary search (built once: lookups run every simulated step). */
  private readonly keyPoints: { x: number }[];
  private readonly children: (GridTable | Point[])[];

  private constructor(keys: number[], children: (GridTable | Point[])[]) {
    this.keys = keys;
    this.keyPoints = keys.map((x) => ({ x }));
    this.children = children;
  }

  /** `rows`: each the key tuple (same length for all, ≥ 1) and the measured value. */
  static build(rows: readonly { readonly keys: readonly number[]; readonly y: number }[], where: string): GridTable {
    if (rows.length === 0) throw new Error(`${where}: no rows`);
    const depth = (rows[0] as { keys: readonly number[] }).keys.length;
    if (depth === 1) {
      // One key: each measured value is a constant child, interpolated between keys like any level.
      const points = series(rows.map((r) => ({ x: r.keys[0] as number, y: r.y })), where);
      return new GridTable(points.map((p) => p.x), points.map((p) => [{ x: 0, y: p.y }]));
    }
    return GridTable.level(rows, 0, depth, where) as GridTable;
  }

  private static level(rows: readonly { readonly keys: readonly number[]; readonly y: number }[], at: number, depth: number, where: string): GridTable | Point[] {
    if (at === depth - 1) return series(rows.map((r) => ({ x: r.keys[at] as number, y: r.y })), where);
    const groups = new Map<number, { keys: readonly number[]; y: number }[]>();
    for (const r of rows) {
      const k = r.keys[at] as number;
      const group = groups.get(k) ?? [];
      group.push(r);
      groups.set(k, group);
    }
    const keys = [...groups.keys()].sort((a, b) => a - b);
    return new GridTable(keys, keys.map((k) => GridTable.level(groups.get(k) as { keys: number[]; y: number }[], at + 1, depth, where)));
  }

  /** The value at `point` (one coordinate per key, in build order). */
  at(point: readonly number[]): number {
    return this.eval(point, 0);
  }

  /** Scratch coordinates, so the per-step lookups below allocate nothing for the GC to chase. */
  private readonly scratch: number[] = [0, 0, 0, 0];

  /** `at([a, b])` without allocating (two-key tables). */
  at2(a: number, b: number): number {
    this.scratch[0] = a;
    this.scratch[1] = b;
    return this.eval(this.scratch, 0);
  }

  /** `at([a, b, c, d])` without allocating (four-key tables). */
  at4(a: number, b: number, c: number, d: number): number {
    this.scratch[0] = a;
    this.scratch[1] = b;
    this.scratch[2] = c;
    this.scratch[3] = d;
    return this.eval(this.scratch, 0);
  }

  private eval(point: readonly number[], at: number): number {
    const x = point[at] as number;
    const valueOf = (i: number): number => {
      const child = this.children[i] as GridTable | Point[];
      return Array.isArray(child) ? interpolate(child, point[at + 1] as number) : child.eval(point, at + 1);
    };
    if (this.keys.length === 1) return valueOf(0);
    const i = segmentEnd(this.keyPoints, x);
    const x0 = this.keys[i - 1] as number;
    const x1 = this.keys[i] as number;
    const y0 = valueOf(i - 1);
    const y1 = valueOf(i);
    return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
  }
}
