// Turns one request's sampled tokens into the deltas its client sees: incremental text
// (Detokenizer), stop conditions (EOS, stop token ids, max_tokens, stop strings through
// StopStringMatcher) and logprobs.
import type { Detokenizer, DetokenizerState } from './detokenizer.ts';
import { StopStringMatcher } from './sampling-stop.ts';
import type { FinishReason, GenerationDelta, SamplingParams, TokenLogprob } from './types.ts';

/** What another instance needs to continue this request's output exactly. */
export interface OutputState {
  readonly generated: number;
  readonly detokenizer: DetokenizerState;
  readonly held_text: string;
}

export class OutputProcessor {
  readonly #params: SamplingParams;
  readonly #eos: ReadonlySet<number>;
  readonly #stopIds: ReadonlySet<number>;
  readonly #detok: Detokenizer;
  readonly #stops: StopStringMatcher;
  #generated = 0;
  #finish: FinishReason | undefined;

  constructor(readonly request_id: string, params: SamplingParams, eosTokenIds: readonly number[], detok: Detokenizer) {
    this.#params = params;
    this.#eos = new Set(params.ignore_eos ? [] : eosTokenIds);
    this.#stopIds = new Set(params.stop_token_ids);
    this.#detok = detok;
    this.#stops = new StopStringMatcher(params.stop);
  }

  get finish_reason(): FinishReason | undefined {
    return this.#finish;
  }

  get generated(): number {
    return this.#generated;
  }

  /** Takes one sampled token; returns the delta to send. */
  accept(token_id: number, logprob?: TokenLogprob): GenerationDelta {
    if (this.#finish !== undefined) throw new Error(`request ${this.request_id} already finished (${this.#finish})`);
    this.#generated++;
    // vLLM keeps a stop token's id in the output ids but not its text.
    const stopToken = this.#eos.has(token_id) || this.#stopIds.has(token_id);
    const scan = this.#stops.push(stopToken ? this.#detok.flush() : this.#detok.push(token_id));
    let text = scan.text;
    if (scan.stop !== undefined || stopToken) this.#finish = 'stop';
    else if (this.#generated >= this.#params.max_tokens) {
      this.#finish = 'length';
      // Held-back text (a split character, a possible stop-string start) is output after all.
      const rest = this.#stops.push(this.#detok.flush());
      text += rest.text + (rest.stop === undefined ? this.#stops.flush() : '');
      if (rest.stop !== undefined) this.#finish = 'stop';
    }
    return {
      request_id: this.request_id,
      token_ids: [token_id],
      text,
      ...(logprob !== undefined ? { logprobs: [logprob] } : {}),
      ...(this.#finish !== undefined ? { finish_reason: this.#finish } : {}),
    };
  }

  state(): OutputState {
    return { generated: this.#generated, detokenizer: this.#detok.state(), held_text: this.#stops.held };
  }

  /** Continues a request migrated here: its count, decode window and held-back text. */
  restore(state: OutputState): void {
    if (!Number.isInteger(state.generated) || state.generated < 0) throw new RangeError(`output state: generated = ${state.generated}; expected an integer >= 0`);
    this.#generated = state.generated;
    this.#detok.restore(state.detokenizer);
    this.#stops.restore(state.held_text);
  }

  /** The closing delta of a request ended from outside (client gone, engine shut down). */
  abort(): GenerationDelta {
    this.#finish = 'abort';
    return { request_id: this.request_id, token_ids: [], text: '', finish_reason: 'abort' };
  }
}
