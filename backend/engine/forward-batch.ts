// Translates the engine core's step plan into the model runner's batch: the token ids each
// sequence computes this step, where they start, its block table, and whether its last
// position's logits are needed (a decode, or the chunk that completes a prefill).
import type { StepPlan } from '../../engine/index.ts';
import type { ForwardSequence } from './runner/index.ts';
import type { RealSequence } from './real-sequence.ts';

export function forwardBatch(plan: StepPlan<RealSequence>): ForwardSequence[] {
  const batch: ForwardSequence[] = [];
  for (const p of plan.prefills) {
    const ids = p.seq.token_ids as number[];
    const end = p.context_tokens + p.new_tokens;
    batch.push({ tokens: ids.slice(p.context_tokens, end), startPos: p.context_tokens, blockTable: p.seq.block_table, wantLogits: end === p.seq.num_tokens });
  }
  for (const d of plan.decodes) {
    batch.push({ tokens: [d.seq.last_token], startPos: d.context_tokens - 1, blockTable: d.seq.block_table, wantLogits: true });
  }
  return batch;
}
