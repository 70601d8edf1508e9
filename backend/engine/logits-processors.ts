// What a request's sampling parameters do to a logits row before a token is chosen, in vLLM's
// order: min_tokens, logit_bias, then the penalties (repetition, frequency, presence). Greedy
// decoding takes the argmax of the processed row; temperature, min_p, top-k and top-p then
// apply to it (sampling.ts). Log-probabilities stay those of the raw row (vLLM's default).
// The state is the request's tokens only, so a migrated or replayed request processes its
// rows exactly as it would have where it was.
import type { SamplingParams } from './types.ts';

export class LogitsProcessors {
  readonly #params: SamplingParams;
  /** Tokens that min_tokens keeps from ending the output (EOS unless ignored, stop token ids). */
  readonly #stoppers: readonly number[];
  /** Tokens of the prompt (for the repetition penalty only). */
  readonly #prompt: ReadonlySet<number>;
  /** How many times each token is in the output so far. */
  readonly #counts = new Map<number, number>();
  #generated = 0;
  #row = new Float32Array(0);

  constructor(params: SamplingParams, prompt_token_ids: readonly number[], eos_token_ids: readonly number[]) {
    this.#params = params;
    this.#stoppers = [...new Set([...(params.ignore_eos ? [] : eos_token_ids), ...params.stop_token_ids])];
    this.#prompt = (params.repetition_penalty ?? 1) !== 1 ? new Set(prompt_token_ids) : new Set();
  }

  /** Whether any processor changes a row (when none does, the raw row is sampled as it is). */
  static active(p: SamplingParams): boolean {
    return (p.min_tokens ?? 0) > 0 || (p.logit_bias?.length ?? 0) > 0 || (p.repetition_penalty ?? 1) !== 1 || (p.frequency_penalty ?? 0) !== 0 || (p.presence_penalty ?? 0) !== 0;
  }

  /** Records a token appended to the output (sampled here, replayed, or restored). */
  note(token_id: number): void {
    this.#generated++;
    this.#counts.set(token_id, (this.#counts.get(token_id) ?? 0) + 1);
  }

  /** The processed copy of `raw` (its own buffer, valid until the next call); `raw` is not written. */
  apply(raw: Float32Array): Float32Array {
    if (this.#row.length !== raw.length) this.#row = new Float32Array(raw.length);
    const row = this.#row;
    row.set(raw);
    const p = this.#params;
    const vocab = row.length;
    if (this.#generated < (p.min_tokens ?? 0)) for (const id of this.#stoppers) if (id < vocab) row[id] = -Infinity;
    for (const [id, bias] of p.logit_bias ?? []) if (id < vocab) row[id] = row[id]! + bias;
    const repetition = p.repetition_penalty ?? 1;
    if (repetition !== 1) {
      const penalise = (id: number): void => {
        if (id >= vocab) return;
        const v = row[id]!;
        row[id] = v > 0 ? v / repetition : v * repetition;
      };
      for (const id of this.#prompt) penalise(id);
      for (const id of this.#counts.keys()) if (!this.#prompt.has(id)) penalise(id);
    }
    const frequency = p.frequency_penalty ?? 0;
    const presence = p.presence_penalty ?? 0;
    if (frequency !== 0 || presence !== 0) {
      for (const [id, count] of this.#counts) if (id < vocab) row[id] = row[id]! - frequency * count - presence;
    }
    return row;
  }
}
