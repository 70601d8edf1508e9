// Weighted isotonic regression (pool adjacent violators): the non-decreasing sequence closest to
// `values` in weighted least squares. Measured step times never fall as a step grows, but noise
// makes them dip; a running maximum instead lets one slow outlier (a step that waited for a core,
// a JIT warm-up) set the floor of every larger shape, which priced a whole calibrated table 2–3×
// too slow. Pooling averages the outlier with its neighbours, weighted by their samples.

export function isotonic(values: readonly number[], weights: readonly number[]): number[] {
  if (values.length !== weights.length) throw new Error(`isotonic: ${values.length} values but ${weights.length} weights`);
  // Blocks of pooled neighbours: their weighted mean, total weight and how many values they hold.
  const mean: number[] = [];
  const weight: number[] = [];
  const count: number[] = [];
  for (const [i, v] of values.entries()) {
    const w = weights[i]!;
    if (!(w > 0) || !Number.isFinite(v)) throw new Error(`isotonic: values[${i}] = ${v} with weight ${w}; expected a finite value with a weight > 0`);
    mean.push(v);
    weight.push(w);
    count.push(1);
    while (mean.length > 1 && mean[mean.length - 2]! > mean[mean.length - 1]!) {
      const w2 = weight.pop()!;
      const m2 = mean.pop()!;
      const c2 = count.pop()!;
      const last = mean.length - 1;
      const w1 = weight[last]!;
      mean[last] = (mean[last]! * w1 + m2 * w2) / (w1 + w2);
      weight[last] = w1 + w2;
      count[last]! += c2;
    }
  }
  return mean.flatMap((m, b) => Array.from({ length: count[b]! }, () => m));
}
