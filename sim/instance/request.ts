import { Sequence, type SequenceStatus } from '../../engine/index.ts';
import type { RecomputeRecord, RequestRecord } from '../../metrics/index.ts';
import type { Priority } from '../../policies/index.ts';
import type { RequestSpec } from '../../traces/request.ts';

export type RequestPhase = 'arriving' | 'waiting' | 'running' | 'suspended' | 'finished';

/** One preemption: when the request was killed and how many tokens it had produced. */
export interface KillRecord {
  readonly killed_s: number;
  readonly output_tokens: number;
}

/**
 * A request inside the simulated cluster: an engine `Sequence` (tokens counted, blocks, status
 * — written only by its engine) plus every timestamp the metrics need. Token times are kept
 * as first/last/count: the decode latency (mean inter-token gap) only needs those, and it
 * keeps memory flat for millions of requests.
 */
export class SimRequest extends Sequence {
  // Per-step fields first (see Sequence): the execution time, the token times (the stop test
  // reads Sequence.max_output_tokens, equal to output_tokens, among the engine's step fields).
  readonly output_tokens: number;
  /** Σ durations of the iterations it took part in (the artifact's "decode execution time"). */
  exec_s = 0;
  /**
   * Token times, NaN while unset. A field that starts out undefined holds its number boxed,
   * so every store would allocate a new box: once per simulated token for the last one. A
   * field that is always a number is updated in place. Read through the accessors below.
   */
  #first_token_s = Number.NaN;
  #last_token_s = Number.NaN;
  /**
   * Whether `#first_token_s` is set: a boolean held inside the object (no box), so a token's time is
   * recorded without loading the first time's box (a cold line per request per step with
   * thousands of instances).
   */
  #has_first_token = false;
  declare readonly priority: Priority;
  readonly model: string | undefined;

  instance = -1;
  migrating = false;

  first_scheduled_s: number | undefined;
  finish_s: number | undefined;
  migrations = 0;
  /** Set while killed and not yet re-admitted. */
  killed: KillRecord | undefined;
  /** Set from re-admission after a kill until that re-prefill ends. */
  readmitted: { kill: KillRecord; readmit_s: number } | undefined;
  /** Re-prefills after a kill: (kill, readmission time, re-prefill end). */
  readonly recomputes: { kill: KillRecord; readmit_s: number; end_s: number }[] = [];

  constructor(spec: RequestSpec) {
    super({
      id: spec.id,
      arrival_s: spec.arrival_s,
      priority: spec.priority,
      prompt_tokens: spec.prompt_tokens,
      max_output_tokens: spec.output_tokens,
      ...(spec.hash_ids === undefined ? {} : { hash_ids: spec.hash_ids }),
      ...(spec.hash_block_tokens === undefined ? {} : { hash_block_tokens: spec.hash_block_tokens }),
    });
    this.output_tokens = spec.output_tokens;
    this.model = spec.model;
  }

  /** The engine's status, with 'arriving' before it reaches an instance. */
  get phase(): RequestPhase {
    return this.status === 'new' ? 'arriving' : this.status;
  }

  set phase(phase: RequestPhase) {
    this.status = (phase === 'arriving' ? 'new' : phase) satisfies SequenceStatus;
  }

  /** Prompt plus generated tokens: what a re-prefill must recompute. */
  get length(): number {
    return this.num_tokens;
  }

  /** True while it sits in a prefill (its KV cache is being built or rebuilt). */
  get prefilling(): boolean {
    return this.in_prefill;
  }

  get done(): boolean {
    // max_output_tokens is output_tokens (the constructor), read where the step's other fields are.
    return this.generated >= (this.max_output_tokens as number);
  }

  /** Time of its first token (undefined before it has one). */
  get first_token_s(): number | undefined {
    const t = this.#first_token_s;
    return Number.isNaN(t) ? undefined : t;
  }

  set first_token_s(t_s: number | undefined) {
    this.#first_token_s = t_s ?? Number.NaN;
    this.#has_first_token = !Number.isNaN(this.#first_token_s);
  }

  /** Time of its latest token (undefined before it has one). */
  get last_token_s(): number | undefined {
    const t = this.#last_token_s;
    return Number.isNaN(t) ? undefined : t;
  }

  set last_token_s(t_s: number | undefined) {
    this.#last_token_s = t_s ?? Number.NaN;
  }

  /**
   * Records the time of a token its engine just appended; returns the gap since its previous
   * token in seconds (NaN for its first). A plain number either way: reading `last_token_s`
   * (number or undefined) once per simulated token boxed it, a heap allocation per token.
   */
  markToken(t_s: number): number {
    const gap_s = t_s - this.#last_token_s;
    if (!this.#has_first_token) {
      this.#first_token_s = t_s;
      this.#has_first_token = !Number.isNaN(t_s);
    }
    this.#last_token_s = t_s;
    return gap_s;
  }

  /** Appends one token and records its time (outside an engine: tests, metrics fixtures). */
  emitToken(t_s: number): void {
    this.appendToken();
    this.markToken(t_s);
  }
}

/** Shared by every record of a request never preempted (most of them): one array, not a million. */
const NO_RECOMPUTES: readonly RecomputeRecord[] = Object.freeze([]);

/** The neutral record of a request (metrics/ reads only this), as it stands now. */
export function requestRecord(r: SimRequest, rejected?: string): RequestRecord {
  return {
    id: r.id,
    priority: r.priority,
    instance: r.instance,
    arrival_s: r.arrival_s,
    prompt_tokens: r.prompt_tokens,
    output_tokens: r.generated,
    first_scheduled_s: r.first_scheduled_s,
    first_token_s: r.first_token_s,
    last_token_s: r.last_token_s,
    finish_s: r.finish_s,
    execution_s: r.exec_s,
    preemptions: r.preemptions,
    migrations: r.migrations,
    recomputes: r.recomputes.length === 0 ? NO_RECOMPUTES : r.recomputes.map(({ kill, readmit_s, end_s }) => ({ killed_s: kill.killed_s, output_tokens: kill.output_tokens, readmit_s, end_s })),
    ...(rejected === undefined ? {} : { rejected }),
  };
}

/** Orders requests first-come-first-served: arrival time, then id. */
export function byArrival(a: SimRequest, b: SimRequest): number {
  return a.arrival_s - b.arrival_s || a.id - b.id;
}
