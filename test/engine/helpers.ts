import { type EngineLimits, Sequence, type StepPlan } from '../../engine/index.ts';

export const LIMITS: EngineLimits = {
  total_blocks: 100,
  watermark_blocks: 1,
  block_size_tokens: 16,
  max_num_batched_tokens: 4096,
  max_num_seqs: 256,
};

/** A sequence that stops after `output` tokens (the simulator's ignore_eos client). */
export class TestSeq extends Sequence {
  constructor(
    id: number,
    prompt: number,
    readonly output = 100,
    arrival = id,
    extra: { prompt_token_ids?: readonly number[]; hash_ids?: readonly number[]; hash_block_tokens?: number } = {},
  ) {
    super({ id, arrival_s: arrival, priority: 'normal', prompt_tokens: prompt, max_output_tokens: output, ...extra });
  }
}

export const stopAtOutput = (seq: TestSeq): boolean => seq.generated >= seq.output;

export const ids = (seqs: readonly Sequence[]): number[] => seqs.map((s) => s.id);
export const prefillIds = (plan: StepPlan<TestSeq> | undefined): number[] => (plan?.prefills ?? []).map((p) => p.seq.id);
export const decodeIds = (plan: StepPlan<TestSeq> | undefined): number[] => (plan?.decodes ?? []).map((d) => d.seq.id);
