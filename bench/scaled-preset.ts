import { findPreset } from '../artifact/presets.ts';
import type { RunConfigInput } from '../sim/index.ts';

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
