import { findPreset } from '../artifact/presets.ts';
import type { RunConfigInput } from '../sim/index.ts';

/** `10000,100000`: positive integers separated by commas (`fallback` when absent). */
export function positiveIntegers(bench: string, text: string | undefined, fallback: number[] = []): number[] {
  if (text === undefined) return fallback;
  return text.split(',').map((part) => {
    const n = Number(part);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${bench}: expected positive integers separated by commas, received ${JSON.stringify(part)} in ${JSON.stringify(text)}`);
    return n;
  });
}

/** `--points 100000x16,1000000x4096`: requests × instances pairs. */
export function pointList(bench: string, text: string | undefined): [number, number][] {
  if (text === undefined) return [];
  return text.split(',').map((part) => {
    const pair = part.split('x');
    if (pair.length !== 2) throw new Error(`${bench}: --points expects REQUESTSxINSTANCES separated by commas, received ${JSON.stringify(part)} in ${JSON.stringify(text)}`);
    const [requests, instances] = positiveIntegers(bench, pair.join(','));
    return [requests as number, instances as number];
  });
}

/**
 * A preset on `instances` instances with `requests` requests, its arrival rate scaled by
 * instances / the preset's instances, so the load per instance is the preset's at every size
 * (bench:scale, bench:dispatch). `dispatch` replaces the preset's dispatch policy when given.
 */
export function scaledPreset(preset: string, requests: number, instances: number, dispatch?: Record<string, unknown>): RunConfigInput {
  const raw = findPreset(preset) as RunConfigInput;
  const baseInstances = raw.cluster?.instances ?? 16;
  const arrival = raw.workload?.arrival as { kind: string; rate_per_s?: number } | undefined;
  if (arrival?.rate_per_s === undefined) throw new Error(`bench: preset ${preset} has no workload.arrival.rate_per_s to scale`);
  return {
    ...raw,
    cluster: { ...raw.cluster, instances },
    ...(dispatch === undefined ? {} : { scheduler: { ...raw.scheduler, dispatch } }),
    workload: { ...raw.workload, num_requests: requests, arrival: { ...arrival, rate_per_s: (arrival.rate_per_s * instances) / baseInstances } },
  } as RunConfigInput;
}
