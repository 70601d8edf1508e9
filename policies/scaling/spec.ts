/**
 * Auto-scaling spec (zod) and its factory (reference §5.2, Appendix A).
 */
import { z } from 'zod';
import { limitedInt, LIMITS } from '../../config/limits.ts';
import { parseSpec } from '../errors.ts';
import { QueuedDemand } from '../load/options.ts';
import type { ScalingPolicy } from '../types.ts';
import { loadScaling } from './load-scaling.ts';

export const ScalingSpec = z
  .strictObject({
    /**
     * `avg_load`: the fleet as one instance (ratio of sums; all paper runs); `max_load` /
     * `min_load`: the most / least loaded active instance.
     */
    kind: z.enum(['avg_load', 'max_load', 'min_load']),
    /** Scale up when freeness (blocks per request) falls below this (paper: 10). */
    scale_up_threshold: z.number().default(10),
    /** Scale down when freeness rises above this; absent = scale_up_threshold + 50 (artifact). */
    scale_down_threshold: z.number().optional(),
    /** Seconds between two checks (artifact: 10). */
    interval_s: z.number().positive().default(10),
    /** First check (artifact: 100 s after start, so the fleet warms up first). */
    first_check_s: z.number().nonnegative().default(100),
    min_instances: z.number().int().positive().default(1),
    max_instances: limitedInt(LIMITS.instances).default(16),
    /** Scale-in victim: `highest-id` (artifact) or `fewest-running` (paper; ties → highest id). */
    victim: z.enum(['highest-id', 'fewest-running']).default('highest-id'),
    /** Queued demand in the scale-down metric (as the pairing metric's `queued_demand`). */
    queued_demand: QueuedDemand.default('head-of-line'),
  })
  .refine((s) => s.min_instances <= s.max_instances, {
    message: 'min_instances <= max_instances',
    path: ['min_instances'],
  })
  .refine((s) => s.scale_down_threshold === undefined || s.scale_down_threshold > s.scale_up_threshold, {
    message: 'scale_down_threshold > scale_up_threshold (else the fleet oscillates)',
    path: ['scale_down_threshold'],
  });
export type ScalingSpec = z.output<typeof ScalingSpec>;
export type ScalingSpecInput = z.input<typeof ScalingSpec>;

/** Validates `spec` (throws `ConfigError` naming field, value, expectation) and builds it. */
export function createScalingPolicy(spec: ScalingSpecInput | unknown): ScalingPolicy {
  return loadScaling(parseSpec('scaling', ScalingSpec, spec));
}
