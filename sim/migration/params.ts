import { z } from 'zod';

/** Live migration of a running request's KV cache (llumnix.md §4). */
export const MigrationParams = z.object({
  /** Effective KV transfer bandwidth between instances (Gloo through host memory ≈ 2.5 GB/s). */
  bandwidth_gbps: z.number().positive().default(2.5),
  /** Fixed cost of one stage: handshake, gather/scatter launch, RPC (≈ 10 ms measured). */
  stage_overhead_ms: z.number().nonnegative().default(10),
  /**
   * Stages at most, the last one included. 1 = stop-and-copy (suspend, copy everything);
   * 2 = the OSDI'24 artifact (copy all but the last block, then suspend and copy the rest);
   * more = Llumnix main (abort when the remainder is still above the limit at the last stage).
   */
  max_stages: z.number().int().min(1).default(3),
  /** The request is suspended for the final copy once at most this many blocks remain. */
  last_stage_max_blocks: z.number().int().nonnegative().default(16),
  /** Migrations (in or out) an instance may take part in at once. */
  max_concurrent_per_instance: z.number().int().min(1).default(1),
  /** Relative slowdown of the source's steps while it sends (measured 1–3 %). */
  source_slowdown: z.number().nonnegative().default(0.02),
  /**
   * Time from the pairing's decision to the first stage: the control path before any block
   * moves (the manager's call to the source, the source's pick, PRE-ALLOC's round trip) and
   * whatever a loaded machine adds to a migration beyond the stage line. Absent: 0, the first
   * stage starts at the decision. `fleetlab fidelity` fits it on forced migrations during its
   * calibration replay (docs/fidelity.md).
   */
  control_ms: z.number().nonnegative().optional(),
});
export type MigrationParams = z.infer<typeof MigrationParams>;

// What one migration did is a neutral record of metrics/ (the real backend's migrations write it too).
export type { AbortReason, MigrationRecord } from '../../metrics/index.ts';
