import { InvariantError } from '../errors.ts';
import type { PerfModel } from '../perf/index.ts';
import { byArrival, type SimRequest } from './request.ts';

/** vLLM engine limits of one instance (llumnix.md §6). */
export interface EngineLimits {
  /** M: KV blocks. */
  readonly total_blocks: number;
  /** W: blocks admission keeps free (vLLM's 1 % watermark). */
  readonly watermark_blocks: number;
  readonly block_size_tokens: number;
  /** Cap on Σ prompt tokens of one prefill batch. */
  readonly max_num_batched_tokens: number;
  /** Cap on running requests. */
  readonly max_num_seqs: number;
  /**
   * Queue high-priority requests ahead of normal ones (the paper's local priority queue; the
   * OSDI'24 artifact's insertion never matched, so its queue was FIFO: false).
   */
  readonly high_priority_first?: boolean;
}

/** One iteration, decided when it starts. */
export interface StepPlan {
  readonly kind: 'prefill' | 'decode';
  readonly batch: readonly SimRequest[];
  readonly duration_s: number;
  /** Requests preempted (recompute) while forming this decode batch. */
  readonly preempted: readonly SimRequest[];
}

/**
 * The vLLM 0.1.7 engine of one instance as Llumnix ran it: paged KV cache, strict-FCFS
 * admission with a watermark, prefill-only or decode-only iterations, preemption by recompute
 * of the latest arrival. It decides batches; the cluster owns time and events.
 */
export class Engine {
  free_blocks: number;
  /** FIFO; preempted requests go back to the front. */
  readonly waiting: SimRequest[] = [];
  /** Kept sorted by arrival (vLLM's FCFS policy re-sorts before each decode). */
  readonly running: SimRequest[] = [];
  /** Blocks pre-allocated here for incoming migrations (already subtracted from free). */
  reserved_blocks = 0;
  /** Requests suspended here by the last stage of an outgoing migration (still hold blocks). */
  suspended_blocks = 0;
  killed = 0;

  constructor(
    readonly limits: EngineLimits,
    readonly perf: PerfModel,
  ) {
    this.free_blocks = limits.total_blocks;
  }

  blocksFor(tokens: number): number {
    return Math.ceil(tokens / this.limits.block_size_tokens);
  }

  get idle(): boolean {
    return this.waiting.length === 0 && this.running.length === 0;
  }

  enqueue(request: SimRequest): void {
    request.phase = 'waiting';
    if (this.limits.high_priority_first === true && request.priority === 'high') {
      // Behind the high-priority requests already queued, ahead of every normal one.
      const at = this.waiting.findIndex((r) => r.priority !== 'high');
      this.waiting.splice(at < 0 ? this.waiting.length : at, 0, request);
      return;
    }
    this.waiting.push(request);
  }

  /** Adds a request to the running batch in FCFS position. */
  addRunning(request: SimRequest): void {
    request.phase = 'running';
    let i = this.running.length;
    while (i > 0 && byArrival(this.running[i - 1] as SimRequest, request) > 0) i--;
    this.running.splice(i, 0, request);
  }

  removeRunning(request: SimRequest): void {
    const i = this.running.indexOf(request);
    if (i < 0) throw new InvariantError(`request ${request.id} is not running here`);
    this.running.splice(i, 1);
  }

  /** Decides the next iteration, or undefined when there is nothing to run. */
  plan(now_s: number): StepPlan | undefined {
    const admitted = this.admit(now_s);
    if (admitted.length > 0) {
      const lengths = admitted.map((r) => r.length);
      return { kind: 'prefill', batch: admitted, preempted: [], duration_s: this.perf.prefill_ms(lengths) / 1e3 };
    }
    if (this.running.length === 0) return undefined;
    const preempted = this.reserveDecodeSlots(now_s);
    if (this.running.length === 0) return { kind: 'decode', batch: [], preempted, duration_s: 0 };
    let context = 0;
    for (const r of this.running) context += r.length;
    const duration_s = this.perf.decode_ms(this.running.length, context) / 1e3;
    return { kind: 'decode', batch: this.running.slice(), preempted, duration_s };
  }

  /** Strict FCFS: admit from the head while blocks, token budget and batch size allow. */
  private admit(now_s: number): SimRequest[] {
    const admitted: SimRequest[] = [];
    let tokens = 0;
    const { watermark_blocks, max_num_batched_tokens, max_num_seqs } = this.limits;
    for (;;) {
      const head = this.waiting[0];
      if (head === undefined) break;
      const need = this.blocksFor(head.length);
      if (this.free_blocks - need < watermark_blocks) break;
      if (tokens + head.length > max_num_batched_tokens) break;
      if (this.running.length + 1 > max_num_seqs) break;
      this.waiting.shift();
      this.free_blocks -= need;
      head.blocks = need;
      head.prefilling = true;
      if (head.killed !== undefined) {
        this.killed--;
        head.readmitted = { kill: head.killed, readmit_s: now_s };
        head.killed = undefined;
      }
      head.first_scheduled_s ??= now_s;
      tokens += head.length;
      this.addRunning(head);
      admitted.push(head);
    }
    return admitted;
  }

  /**
   * Gives every running request (FCFS order) a slot for its next token. vLLM requires one free
   * block per request even when it will not need a new one; when none is left it preempts the
   * latest arrival, or the request itself when it is the latest.
   */
  private reserveDecodeSlots(now_s: number): SimRequest[] {
    const preempted: SimRequest[] = [];
    for (let i = 0; i < this.running.length; i++) {
      const request = this.running[i] as SimRequest;
      while (this.free_blocks < 1) {
        const victim = this.running[this.running.length - 1] as SimRequest;
        this.preempt(victim, now_s);
        preempted.push(victim);
        if (victim === request) break;
      }
      if (request.phase !== 'running') break;
      if (this.blocksFor(request.length) > request.blocks) {
        this.free_blocks--;
        request.blocks++;
      }
    }
    return preempted;
  }

  /** Recompute preemption: free every block, back to the head of the queue. */
  private preempt(victim: SimRequest, now_s: number): void {
    this.running.pop();
    victim.killed = { killed_s: now_s, output_tokens: victim.generated };
    this.free_blocks += victim.blocks;
    victim.blocks = 0;
    victim.epoch++;
    victim.preemptions++;
    this.killed++;
    this.waiting.unshift(victim);
    victim.phase = 'waiting';
  }

  /** Releases a finished request's blocks. */
  release(request: SimRequest): void {
    this.removeRunning(request);
    this.free_blocks += request.blocks;
    request.blocks = 0;
  }

  /** Every block is either free, held by a running/suspended request, or reserved. */
  checkBlocks(): void {
    let held = this.reserved_blocks + this.suspended_blocks;
    for (const r of this.running) held += r.blocks;
    if (held + this.free_blocks !== this.limits.total_blocks) {
      throw new InvariantError(
        `blocks: free ${this.free_blocks} + used ${held} != total ${this.limits.total_blocks}`,
      );
    }
    if (this.free_blocks < 0) throw new InvariantError(`negative free blocks ${this.free_blocks}`);
  }
}
