/**
 * The contract between policies and a cluster (simulated or real).
 *
 * A policy reads a read-only `ClusterView` and returns decisions as plain data. It never
 * mutates the cluster, never reads a clock of its own and never does I/O, so the same policy
 * object runs unchanged against `sim/` (virtual time) and `backend/` (wall time).
 *
 * Every field carries its unit in its name; block counts are KV-cache blocks of the
 * instance's block size (16 tokens by default).
 */

export type InstanceId = number;
export type RequestId = number;
export type Priority = 'normal' | 'high';

/** Lifecycle of an instance as the manager sees it. */
export type InstanceState =
  /** Being started (model loading); receives nothing yet. */
  | 'starting'
  /** Serving. */
  | 'active'
  /** Scale-in victim: receives nothing, drained by migration or by waiting until empty. */
  | 'terminating';

/**
 * What one instance reported after its latest engine step (Llumnix's `InstanceInfo`).
 * The manager sees reports, not live state: between two steps this is stale.
 */
export interface InstanceReport {
  readonly id: InstanceId;
  readonly state: InstanceState;
  /** Whether the instance has produced at least one step report since it became active. */
  readonly reported: boolean;
  /**
   * Time of the report (virtual or wall seconds, the port's clock). In the simulator's live view
   * (`reads: live`) it is the instant of the view, `now_s`: the report shows the instance's
   * state at that instant (its fields were re-taken at its latest change, and nothing changed
   * since), exactly what a snapshot taken then would say.
   */
  readonly report_time_s: number;
  /** M: KV blocks of the instance. */
  readonly total_blocks: number;
  /** W: blocks the admission watermark keeps free (⌊0.01·M⌋ by default). */
  readonly watermark_blocks: number;
  /** Free physical blocks (pre-allocated migration blocks count as used). */
  readonly free_blocks: number;
  /** R: requests in the running batch. */
  readonly running: number;
  /** Q: requests in the waiting queue (preempted ones included). */
  readonly waiting: number;
  /** K: requests preempted (recompute) and not yet re-admitted. */
  readonly killed: number;
  /** h: (prompt + generated tokens of the head waiting request) / block size, not rounded. */
  readonly head_waiting_blocks: number;
  /** ΣQ: the same quantity summed over every waiting request. */
  readonly all_waiting_blocks: number;
  /** P: high-priority requests in waiting + running. */
  readonly high_priority: number;
  /** Blocks of the most recently admitted running request (for "load after migration"). */
  readonly last_running_blocks: number;
  /** Migrations in flight where this instance is source or destination. */
  readonly migrations_in_flight: number;
  /**
   * Set by a port that keeps one report object per instance and rewrites it in place (the
   * simulator: millions of steps, no object each): bumped on every change. Absent where every
   * change is a new object (the backend). A reader that caches what it derived from a report
   * (the dispatch index) treats a new object or a new version as a change.
   */
  readonly version?: number;
}

/** A request as a dispatch policy sees it on arrival. */
export interface ArrivingRequest {
  readonly id: RequestId;
  readonly prompt_tokens: number;
  readonly priority: Priority;
  /** Model the request asks for (multi-model clusters); undefined for single-model fleets. */
  readonly model?: string;
}

/** A snapshot of the fleet the global scheduler decides on. Instances are sorted by id. */
export interface ClusterView {
  readonly now_s: number;
  readonly instances: readonly InstanceReport[];
  /** Requests dispatched so far to each instance, indexed like `instances`. */
  readonly dispatched: readonly number[];
  /** Step reports received so far, all instances together (drives count-based triggers). */
  readonly reports_total: number;
  /**
   * Instances that are not `starting` (what count-based triggers divide by), kept by the port
   * so a trigger need not scan every report on every step; absent: counted from `instances`.
   */
  readonly reporting?: number;
  /**
   * Which slots changed (report or dispatched count), kept by a port that knows, so an index
   * over the fleet (the `load` dispatch's) re-checks those instead of every instance at every
   * arrival. Absent: readers compare every slot.
   */
  readonly changes?: ChangeFeed;
}

/**
 * The slots whose report (rewritten in place or replaced) or dispatched count changed, in the
 * order they changed: a ring of the latest `slots.length` entries. Change k (0-based, counted
 * since the port started) is `slots[k % slots.length]` while `total − k <= slots.length`; a
 * reader that fell further behind, or whose `layout` differs (slots renumbered: an instance
 * joined or left), compares every slot instead. Listing a slot that did not change is harmless.
 */
export interface ChangeFeed {
  /** Changes recorded since the port started (never decreases). */
  readonly total: number;
  readonly slots: Int32Array;
  /** Bumped whenever slots are renumbered or added. */
  readonly layout: number;
}

/** A running request as its own instance's local migration scheduler sees it (live state). */
export interface LocalRequestView {
  readonly id: RequestId;
  readonly arrival_s: number;
  readonly priority: Priority;
  /** Prompt + generated tokens. */
  readonly length_tokens: number;
  readonly output_tokens: number;
  /** Position in the running batch, 0 = admitted first. */
  readonly admit_order: number;
  readonly migrating: boolean;
}

/** Decisions are plain data; the port applies them or reports why it could not. */
export type Decision =
  | { readonly kind: 'dispatch'; readonly request: RequestId; readonly instance: InstanceId }
  | { readonly kind: 'migrate'; readonly from: InstanceId; readonly to: InstanceId }
  | { readonly kind: 'scale-up'; readonly n: number }
  | { readonly kind: 'scale-down'; readonly instance: InstanceId };

/** "No" is data (a bug is an error): a policy returns why it could not decide. */
export type Verdict<T> =
  | { readonly ok: true; readonly value: T; readonly policy: string }
  | { readonly ok: false; readonly reasons: readonly string[]; readonly policy: string };

export const accept = <T>(policy: string, value: T): Verdict<T> => ({ ok: true, value, policy });
export const reject = <T>(policy: string, ...reasons: string[]): Verdict<T> => ({
  ok: false,
  reasons,
  policy,
});
