import { decodeItem } from './decode-item.ts';
import { EngineCore } from './engine-core.ts';
import type { EngineKind } from './limits.ts';
import type { DecodeItem, StepPlan } from './plan.ts';
import { byArrival, type Sequence } from './sequence.ts';
import { truncate } from './step-buffers.ts';

/**
 * vLLM 0.1.7 as Llumnix ran it (llumnix.md §6): strict-FCFS admission under a watermark and
 * a Σ-prompt-token cap (or vLLM 0.2's padded cap, `prefill_token_budget`), prefill-only or decode-only steps, one free block demanded per
 * running sequence before every decode, preemption by recompute of the latest arrival.
 */
export class VllmV0Scheduler<S extends Sequence = Sequence> extends EngineCore<S> {
  readonly kind: EngineKind = 'vllm-v0';

  /** Keeps the running list sorted by arrival (vLLM's FCFS policy re-sorts before each decode). */
  protected addRunning(seq: S): void {
    seq.status = 'running';
    let i = this.running.length;
    while (i > 0 && byArrival(this.running[i - 1] as S, seq) > 0) i--;
    this.running.splice(i, 0, seq);
  }

  schedule(): StepPlan<S> | undefined {
    const plan = this.plan.clear();
    const decodes = plan.decodes;
    this.admit(plan.admitted, plan.ignored);
    if (plan.admitted.length > 0) {
      for (const seq of plan.admitted) plan.prefills.push({ seq, new_tokens: seq.num_tokens, context_tokens: 0 });
      if (decodes.length > 0) truncate(decodes, 0);
      return plan;
    }
    if (this.running.length === 0) {
      if (plan.ignored.length === 0) return undefined;
      // Only drops to report: an empty batch.
      if (decodes.length > 0) truncate(decodes, 0);
      return plan;
    }
    // Overwritten in place, then cut to the batch (see PlanBuffer).
    const n = this.reserveDecodeSlots(plan.preempted, decodes);
    if (decodes.length > n) truncate(decodes, n);
    return plan;
  }

  /**
   * Strict FCFS: admit from the head into `admitted` while blocks, the token cap and batch size
   * allow. A head longer than the token cap alone can never be admitted (only a preempted
   * sequence gets there: arrivals are checked by `admissionError`); vLLM 0.1.7 drops it as
   * ignored rather than block the queue behind it for ever.
   */
  private admit(admitted: S[], ignored: S[]): void {
    let tokens = 0;
    let longest = 0;
    const { watermark_blocks, max_num_batched_tokens, max_num_seqs } = this.limits;
    const padded = this.limits.prefill_token_budget === 'padded';
    for (;;) {
      const head = this.waiting[0];
      if (head === undefined) break;
      const length = head.num_tokens;
      if (length > max_num_batched_tokens) {
        this.abort(head);
        ignored.push(head);
        continue;
      }
      const need = this.blocksFor(length);
      if (this.blocks.free_blocks - need < watermark_blocks) break;
      // Padded batches cost every prompt as much as the longest one.
      const cost = padded ? (admitted.length + 1) * Math.max(longest, length) : tokens + length;
      if (cost > max_num_batched_tokens) break;
      if (this.running.length + 1 > max_num_seqs) break;
      this.growBlocks(head, need);
      this.admitHead(head, 0);
      tokens += length;
      longest = Math.max(longest, length);
      admitted.push(head);
    }
  }

  /**
   * Gives every running sequence (FCFS order) a slot for its next token. vLLM 0.1.7 requires
   * one free block per sequence even when it will not need a new one; when none is left it
   * preempts the latest arrival, or the sequence itself when it is the latest.
   *
   * Writes each sequence that keeps its slot into `decodes` as it goes and returns how many:
   * victims are taken from the end of the running list, never from the part already visited,
   * so the visited sequences are exactly the running list left (one pass over the batch
   * instead of two).
   */
  private reserveDecodeSlots(preempted: S[], decodes: DecodeItem<S>[]): number {
    const size = this.limits.block_size_tokens;
    let n = 0;
    for (let i = 0; i < this.running.length; i++) {
      const seq = this.running[i] as S;
      while (this.blocks.free_blocks < 1) {
        const victim = this.running.pop() as S;
        this.preempt(victim);
        preempted.push(victim);
        if (victim === seq) break;
      }
      if (seq.status !== 'running') break;
      // ⌈tokens / size⌉ > blocks, without a division per sequence per step (integers: exact).
      // `blocks_held`, not the table's length: the table is only read when a block is added.
      if (seq.prompt_tokens + seq.generated > seq.blocks_held * size) this.growBlocks(seq, 1);
      decodes[n++] = decodeItem(seq, seq.num_tokens);
    }
    return n;
  }
}
