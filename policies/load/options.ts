/**
 * Options shared by every freeness metric (Llumnix's "virtual usage", reference §1).
 */
import { z } from 'zod';
import type { InstanceReport } from '../view.ts';

/**
 * Which queued demand the migration metric charges to an instance:
 * - `head-of-line` (default): only the head waiting request (paper, the 0.2.0 fork and main);
 * - `all-waiting`: every waiting request, as the osdi24ae root fork does (fidelity switch).
 */
export const QueuedDemand = z.enum(['head-of-line', 'all-waiting']);
export type QueuedDemand = z.infer<typeof QueuedDemand>;

/** Zod fields for the priority headroom, spread into every spec that computes freeness. */
export const priorityOptionFields = {
  /**
   * Charge the priority headroom (true = Llumnix; false = "Llumnix-base", every request is
   * treated as normal).
   */
  priority_aware: z.boolean().default(true),
  /**
   * Headroom in KV blocks charged once to an instance hosting a high-priority request.
   * Absent: M − 100 blocks per instance, as the artifact (clamped at 0 for tiny instances).
   */
  priority_headroom_blocks: z.number().nonnegative().optional(),
};

/** Zod fields for the migration metric: the priority fields plus the queued demand. */
export const migrationLoadFields = {
  /** Queued demand in the migration metric; see `QueuedDemand`. */
  queued_demand: QueuedDemand.default('head-of-line'),
  ...priorityOptionFields,
};

export interface LoadOptions {
  readonly queued_demand: QueuedDemand;
  readonly priority_aware: boolean;
  readonly priority_headroom_blocks?: number | undefined;
}

export const DEFAULT_LOAD_OPTIONS: LoadOptions = {
  queued_demand: 'head-of-line',
  priority_aware: true,
};

/** Artifact: "target 2k tokens" in a comment, 1,600 tokens = 100 blocks in the code. */
const ARTIFACT_HEADROOM_LEFT_BLOCKS = 100;

/** Headroom (blocks) an instance is charged for hosting high-priority work. */
export function priorityHeadroomBlocks(report: InstanceReport, options: LoadOptions): number {
  if (!options.priority_aware) return 0;
  return (
    options.priority_headroom_blocks ??
    Math.max(0, report.total_blocks - ARTIFACT_HEADROOM_LEFT_BLOCKS)
  );
}
