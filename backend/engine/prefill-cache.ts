// One round of token-based live migration on the destination (ServerlessLLM §6): compute the KV
// of a running request's tokens so far into the prefix cache. It runs as a one-token greedy
// request whose output is thrown away; its full blocks stay cached after it ends, so the next
// round (and the final resume) only computes the tokens that are new since.
import type { LLMEngine } from './llm-engine.ts';

export interface PrefillOutcome {
  /** Tokens sent (prompt + output so far of the migrating request). */
  readonly tokens: number;
  /** Of those, found in the prefix cache (computed by an earlier round). */
  readonly cached_tokens: number;
  readonly ms: number;
}

export async function prefillIntoCache(engine: LLMEngine, round_id: string, token_ids: readonly number[]): Promise<PrefillOutcome> {
  const t0 = performance.now();
  const stream = engine.generate({
    request_id: round_id,
    prompt_token_ids: token_ids,
    sampling: { max_tokens: 1, temperature: 0, top_p: 1, top_k: 0, stop: [], stop_token_ids: [], ignore_eos: true },
  });
  const seq = engine.sequence(round_id);
  for await (const delta of stream) {
    if (delta.finish_reason === 'abort') throw new Error(`prefill round ${round_id} was aborted (engine shutting down?)`);
  }
  return { tokens: token_ids.length, cached_tokens: seq?.num_cached_tokens ?? 0, ms: performance.now() - t0 };
}
