import { decodeItem } from './decode-item.ts';
import { EngineCore } from './engine-core.ts';
import type { EngineKind } from './limits.ts';
import type { StepPlan } from './plan.ts';
import type { Sequence } from './sequence.ts';
import { truncate } from './step-buffers.ts';

/**
 * vLLM v1's scheduler and KV cache manager rules (read from vllm/v1/core/sched/scheduler.py and
 * v1/core/kv_cache_manager.py; written here from those rules):
 *
 * - one token budget per step (`max_num_batched_tokens`), spent first on the running list in
 *   order (a decode costs 1, an unfinished prefill its next chunk), then on waiting sequences;
 *   a prompt longer than what is left is chunked across steps;
 * - a block is allocated only when a token being computed needs one; when none is free the
 *   tail of the running list (the latest admitted) is preempted by recompute, repeatedly, down
 *   to the sequence itself; preempted sequences go to the head of the waiting queue;
 * - no waiting sequence is admitted in a step that preempted;
 * - admission looks up the longest run of cached full blocks (capped so at least one token is
 *   computed) and takes them before allocating; no admission watermark (v1 has none);
 * - at most `max_num_seqs` running.
 */
export class VllmV1Scheduler<S extends Sequence = Sequence> extends EngineCore<S> {
  readonly kind: EngineKind = 'vllm-v1';

  /** v1 keeps the running list in admission order; the tail is the next preemption victim. */
  protected addRunning(seq: S): void {
    seq.status = 'running';
    this.running.push(seq);
  }

  schedule(): StepPlan<S> | undefined {
    if (this.idle) return undefined;
    let budget = this.limits.max_num_batched_tokens;
    const plan = this.plan.clear();
    const { prefills, decodes, preempted, admitted } = plan;
    // Decodes are overwritten in place, then cut to the count written (see PlanBuffer).
    let decodeCount = 0;

    for (let i = 0; i < this.running.length && budget > 0; ) {
      const seq = this.running[i] as S;
      const context = seq.num_computed_tokens;
      const n = Math.min(seq.num_tokens - context, budget);
      let scheduled = true;
      while (!this.allocateSlots(seq, context + n)) {
        const victim = this.running.pop() as S;
        this.preempt(victim);
        preempted.push(victim);
        if (victim === seq) {
          scheduled = false;
          break;
        }
      }
      if (!scheduled) break;
      if (seq.in_prefill) prefills.push({ seq, new_tokens: n, context_tokens: context });
      else decodes[decodeCount++] = decodeItem(seq, context + n);
      budget -= n;
      i++;
    }

    if (preempted.length === 0) {
      while (budget > 0 && this.running.length < this.limits.max_num_seqs) {
        const seq = this.waiting[0];
        if (seq === undefined) break;
        const hits = this.cachedPrefix(seq);
        const cached = hits.length * this.limits.block_size_tokens;
        const n = Math.min(seq.num_tokens - cached, budget);
        if (!this.allocateWithHits(seq, hits, cached + n)) break;
        this.admitHead(seq, cached);
        seq.cached_blocks = hits.length;
        admitted.push(seq);
        prefills.push({ seq, new_tokens: n, context_tokens: cached });
        budget -= n;
      }
    }
    if (decodes.length > decodeCount) truncate(decodes, decodeCount);
    return plan.empty ? undefined : plan;
  }

  /** Blocks so that `tokens` tokens have a slot; false (nothing taken) when too few are free. */
  private allocateSlots(seq: S, tokens: number): boolean {
    const need = this.blocksFor(tokens) - seq.blocks_held;
    if (need <= 0) return true;
    return this.growBlocks(seq, need);
  }

  /**
   * Admission: takes the cached prefix blocks (a hit on a free cached block takes it off the
   * free list, so it counts against the free blocks) and allocates the rest.
   */
  private allocateWithHits(seq: S, hits: readonly number[], tokens: number): boolean {
    let revived = 0;
    for (const id of hits) if (this.blocks.refCount(id) === 0) revived++;
    const fresh = this.blocksFor(tokens) - hits.length;
    if (fresh + revived > this.blocks.free_blocks) return false;
    if (hits.length > 0) {
      this.blocks.touch(hits);
      seq.block_table.push(...hits);
      seq.blocks_held = seq.block_table.length;
    }
    return this.growBlocks(seq, fresh);
  }

  /** The longest run of cached full blocks of `seq`'s tokens, leaving at least one token to compute. */
  private cachedPrefix(seq: S): number[] {
    const hits: number[] = [];
    if (!this.blocks.prefix_caching) return hits;
    const size = this.limits.block_size_tokens;
    const max = Math.floor((seq.num_tokens - 1) / size);
    for (let i = 0; i < max; i++) {
      const id = this.blocks.lookup(seq.blockKey(i, size), seq.preempted_table[i]);
      if (id === undefined) break;
      hits.push(id);
    }
    return hits;
  }
}
