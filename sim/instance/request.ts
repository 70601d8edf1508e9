import type { Priority } from '../../policies/index.ts';
import type { RequestSpec } from '../../traces/request.ts';

export type RequestPhase = 'arriving' | 'waiting' | 'running' | 'suspended' | 'finished';

/** One preemption: when the request was killed and how many tokens it had produced. */
export interface KillRecord {
  readonly killed_s: number;
  readonly output_tokens: number;
}

/**
 * A request inside the simulated cluster: its progress and every timestamp the metrics need.
 * Token times are kept as first/last/count: the decode latency (mean inter-token gap) only
 * needs those, and it keeps memory flat for millions of requests.
 */
export class SimRequest {
  readonly id: number;
  readonly arrival_s: number;
  readonly prompt_tokens: number;
  readonly output_tokens: number;
  readonly priority: Priority;
  readonly model: string | undefined;

  phase: RequestPhase = 'arriving';
  instance = -1;
  /** Output tokens produced so far. */
  generated = 0;
  /** Physical KV blocks held on its current instance. */
  blocks = 0;
  /** Bumped on every preemption, so an in-flight migration can tell its copy went stale. */
  epoch = 0;
  migrating = false;
  /** True while it sits in a prefill batch (its KV cache is being rebuilt). */
  prefilling = false;

  first_scheduled_s: number | undefined;
  first_token_s: number | undefined;
  last_token_s: number | undefined;
  finish_s: number | undefined;
  preemptions = 0;
  migrations = 0;
  /** Σ durations of the iterations it took part in (the artifact's "decode execution time"). */
  exec_s = 0;
  /** Set while killed and not yet re-admitted. */
  killed: KillRecord | undefined;
  /** Set from re-admission after a kill until that re-prefill ends. */
  readmitted: { kill: KillRecord; readmit_s: number } | undefined;
  /** Re-prefills after a kill: (kill, readmission time, re-prefill end). */
  readonly recomputes: { kill: KillRecord; readmit_s: number; end_s: number }[] = [];

  constructor(spec: RequestSpec) {
    this.id = spec.id;
    this.arrival_s = spec.arrival_s;
    this.prompt_tokens = spec.prompt_tokens;
    this.output_tokens = spec.output_tokens;
    this.priority = spec.priority;
    this.model = spec.model;
  }

  /** Prompt plus generated tokens: what a re-prefill must recompute. */
  get length(): number {
    return this.prompt_tokens + this.generated;
  }

  get done(): boolean {
    return this.generated >= this.output_tokens;
  }

  /** Records one produced token at time `t_s`. */
  emitToken(t_s: number): void {
    this.generated++;
    if (this.first_token_s === undefined) this.first_token_s = t_s;
    this.last_token_s = t_s;
  }
}

/** Orders requests first-come-first-served: arrival time, then id. */
export function byArrival(a: SimRequest, b: SimRequest): number {
  return a.arrival_s - b.arrival_s || a.id - b.id;
}
