// A running request's migratable state: everything but its KV (which travels as blocks over
// the transfer path). With it, the destination continues the request exactly where the source
// stopped: same tokens, same random stream, same text.
import type { RealSequence } from './real-sequence.ts';
import type { RequestOutputSnapshot } from './sampling-output.ts';
import type { SamplingParams } from './types.ts';

export interface MigratedState {
  readonly request_id: string;
  readonly priority: 'normal' | 'high';
  readonly prompt_token_ids: readonly number[];
  /** Tokens whose KV is in the copied blocks (all but the last token, between decodes). */
  readonly num_computed_tokens: number;
  readonly sampling: SamplingParams;
  /** Output tokens, random stream, text held back. */
  readonly output: RequestOutputSnapshot;
}

export function migratedState(seq: RealSequence): MigratedState {
  return {
    request_id: seq.request_id,
    priority: seq.priority,
    prompt_token_ids: (seq.token_ids as number[]).slice(0, seq.prompt_tokens),
    num_computed_tokens: seq.num_computed_tokens,
    sampling: seq.sampling,
    output: seq.output.snapshot(),
  };
}
