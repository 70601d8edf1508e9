/**
 * The contract between a placement policy and a serverless cluster (ServerlessLLM's "model
 * loading scheduler" state, §5.1): what a real controller can know, nothing more. Every field
 * carries its unit in its name.
 *
 * A controller knows where checkpoints are (it asked nodes to store them), how long the
 * loading tasks it queued on each node will take (it estimated them when it queued them),
 * the measured bandwidth of each node's tiers, and for each running inference the tokens it
 * has so far (upstream routers report `num_current_tokens`) — not its hidden future.
 */
import type { InstanceId } from '../view.ts';

export type NodeId = number;
/** Where a checkpoint can be read from, fastest first. `remote` is always possible. */
export type Tier = 'dram' | 'ssd' | 'remote';
export const TIERS: readonly Tier[] = ['dram', 'ssd', 'remote'];

/** Measured, effective bandwidths of one node's tiers (bytes per second). */
export interface TierBandwidths {
  /** Remote storage → this node. */
  readonly network_bytes_per_s: number;
  /** Local SSD → DRAM. */
  readonly ssd_bytes_per_s: number;
  /** Pinned DRAM → one GPU; a load over g GPUs uses g links in parallel. */
  readonly pcie_bytes_per_s_per_gpu: number;
}

/** One inference running on an instance, as the controller knows it. */
export interface InferenceProgress {
  readonly request: number;
  readonly prompt_tokens: number;
  /** Tokens generated so far. */
  readonly generated_tokens: number;
  /** The request's max_tokens (an upper bound on what it will generate; the router knows it). */
  readonly max_tokens: number;
}

export interface InstanceView {
  readonly id: InstanceId;
  readonly model: string;
  readonly node: NodeId;
  readonly gpus: readonly number[];
  /**
   * `loading`: waiting for or reading its checkpoint; `ready`: serving or idle;
   * `migrating`: source of a live migration (cannot be picked as a victim again).
   */
  readonly state: 'loading' | 'ready' | 'migrating';
  /** Running inferences; empty = idle (kept alive), its GPUs can be reclaimed at no cost. */
  readonly inferences: readonly InferenceProgress[];
}

export interface NodeView {
  readonly id: NodeId;
  readonly gpus_total: number;
  /** GPU indices with nothing on them and not reserved by an earlier decision. */
  readonly free_gpus: readonly number[];
  /** Checkpoints in this node's DRAM cache (pinned pool). */
  readonly dram_models: readonly string[];
  /** Checkpoints on this node's local SSD. */
  readonly ssd_models: readonly string[];
  /** Estimated time until the loading tasks already queued on this node finish. */
  readonly loading_backlog_s: number;
  readonly bandwidth: TierBandwidths;
  /** Fixed per-load cost (process start, allocation, confirm), measured. */
  readonly load_overhead_s: number;
}

/** What the controller knows of a deployed model (profiled at deploy time). */
export interface ModelView {
  readonly name: string;
  readonly size_bytes: number;
  readonly gpus_per_instance: number;
  /** `a` of the resume-time fit a·(t_in + t_out) + b: KV recompute seconds per token. */
  readonly resume_s_per_token: number;
  /** `b` of the same fit. */
  readonly resume_base_s: number;
  /** Profiled seconds per decoded token (to bound how long a running inference may last). */
  readonly decode_s_per_token: number;
}

export interface PlacementView {
  readonly now_s: number;
  /** Sorted by id. */
  readonly nodes: readonly NodeView[];
  readonly models: ReadonlyMap<string, ModelView>;
  /** Sorted by id. */
  readonly instances: readonly InstanceView[];
}

/** A request for one new instance of `model` (from the auto-scaler). */
export interface PlacementRequest {
  readonly model: string;
  /** When the auto-scaler asked for it. */
  readonly since_s: number;
}

/** What happens to an instance that stands on GPUs the new one needs. */
export type Victim =
  /** An idle (kept-alive) instance: unloaded, nothing lost. */
  | { readonly instance: InstanceId; readonly action: 'preempt'; readonly idle: true }
  /** Kill a busy instance; its inferences restart from scratch elsewhere (Shepherd*). */
  | { readonly instance: InstanceId; readonly action: 'preempt'; readonly idle: false }
  /** Live-migrate a busy instance to `to` (token-based, §6). */
  | { readonly instance: InstanceId; readonly action: 'migrate'; readonly to: { readonly node: NodeId; readonly gpus: readonly number[] } };

export type PlacementDecision =
  | {
      readonly kind: 'place';
      readonly policy: string;
      readonly model: string;
      readonly node: NodeId;
      readonly gpus: readonly number[];
      /** Tier the checkpoint is expected to come from. */
      readonly tier: Tier;
      /** The policy's estimate of seconds until the instance is ready. */
      readonly estimated_startup_s: number;
      readonly victims: readonly Victim[];
    }
  | { readonly kind: 'reject'; readonly policy: string; readonly model: string; readonly reasons: readonly string[] };

export interface PlacementPolicy {
  readonly name: string;
  place(request: PlacementRequest, view: PlacementView): PlacementDecision;
}
