// One request's output side: samples each step's token from its logits row with the request's
// own stream, turns tokens into text deltas, and decides when it is finished (EOS, stop token
// ids, stop strings, max_tokens). Its whole state is serialisable, so a migrated request
// resumes with the same random stream (see snapshot()/restore).
import { Detokenizer, type TokenDecoder } from './detokenizer.ts';
import { LogitsProcessors } from './logits-processors.ts';
import { sampleToken, type SamplingScratch } from './sampling.ts';
import { isGreedy } from './sampling-params.ts';
import { SamplingRng, samplingSeed, type SamplingRngState } from './sampling-rng.ts';
import { StopStringMatcher } from './sampling-stop.ts';
import type { FinishReason, GenerationDelta, SamplingParams, TokenLogprob } from './types.ts';

export interface RequestOutputInit {
  readonly request_id: string;
  readonly params: SamplingParams;
  readonly decoder: TokenDecoder;
  /** The model's EOS ids (tokenizer + generation_config). */
  readonly eos_token_ids: readonly number[];
  readonly prompt_token_ids: readonly number[];
  /** Seeds requests without their own seed (with the request id). */
  readonly engine_seed?: number;
  /** Resume a stream saved by snapshot() (migration, recompute after preemption). */
  readonly rng_state?: SamplingRngState;
  /** Tokens already generated before a migration; they count towards max_tokens. */
  readonly output_token_ids?: readonly number[];
  /** Of those, how many at the end had no text emitted yet (a split character). */
  readonly held_tokens?: number;
  /** Text held back for a possible stop string, not emitted yet. */
  readonly held_text?: string;
}

/** What a request's output state needs to continue elsewhere (plain JSON). */
export interface RequestOutputSnapshot {
  readonly rng_state: SamplingRngState;
  readonly output_token_ids: readonly number[];
  readonly held_tokens: number;
  readonly held_text: string;
}

export class RequestOutput {
  readonly request_id: string;
  readonly params: SamplingParams;
  readonly #eos: ReadonlySet<number>;
  readonly #stopIds: ReadonlySet<number>;
  readonly #rng: SamplingRng;
  readonly #detok: Detokenizer;
  readonly #stops: StopStringMatcher;
  readonly #outputIds: number[];
  /** Undefined when no parameter changes a row (the common case: the raw row is sampled). */
  readonly #processors: LogitsProcessors | undefined;
  #finish: FinishReason | undefined;
  #stopReason: string | number | undefined;

  constructor(init: RequestOutputInit) {
    this.request_id = init.request_id;
    this.params = init.params;
    this.#eos = new Set(init.params.ignore_eos ? [] : init.eos_token_ids);
    this.#stopIds = new Set(init.params.stop_token_ids);
    this.#rng = init.rng_state
      ? SamplingRng.fromState(init.rng_state)
      : SamplingRng.fromSeed(samplingSeed(init.params.seed, init.engine_seed ?? 0, init.request_id));
    this.#outputIds = [...(init.output_token_ids ?? [])];
    this.#processors = LogitsProcessors.active(init.params) ? new LogitsProcessors(init.params, init.prompt_token_ids, init.eos_token_ids) : undefined;
    for (const id of this.#outputIds) this.#processors?.note(id);
    // Text already streamed before a migration is not streamed again: the detokenizer starts
    // with those tokens as context, then re-reads the ones whose text was still held back.
    const held = Math.min(init.held_tokens ?? 0, this.#outputIds.length);
    const emitted = this.#outputIds.length - held;
    this.#detok = new Detokenizer(init.decoder, { prompt_ids: [...init.prompt_token_ids, ...this.#outputIds.slice(0, emitted)] });
    for (const id of this.#outputIds.slice(emitted)) this.#detok.push(id);
    this.#stops = new StopStringMatcher(init.params.stop, init.held_text ?? '');
  }

  get finished(): boolean {
    return this.#finish !== undefined;
  }

  get finish_reason(): FinishReason | undefined {
    return this.#finish;
  }

  /** The stop string or stop token id that ended the request (vLLM's stop_reason); undefined for EOS or length. */
  get stop_reason(): string | number | undefined {
    return this.#stopReason;
  }

  get output_token_ids(): readonly number[] {
    return this.#outputIds;
  }

  snapshot(): RequestOutputSnapshot {
    return {
      rng_state: this.#rng.state(), output_token_ids: [...this.#outputIds],
      held_tokens: this.#detok.heldTokens, held_text: this.#stops.heldText,
    };
  }

  /** Samples from this step's logits row and appends the token (`scratch`: the engine's reusable buffers). */
  sample(logits: Float32Array, scratch?: SamplingScratch): GenerationDelta {
    if (this.finished) throw new Error(`request ${this.request_id} is already finished (${this.#finish}); it must not be scheduled again`);
    const row = this.#processors?.apply(logits) ?? logits;
    const s = sampleToken(row, this.params, this.#rng, scratch, logits);
    return this.append(s.token_id, s.logprob);
  }

  /**
   * Appends a token this request's own stream sampled on another instance (a live migration's
   * source kept decoding after its snapshot): the random stream skips the draw that sampled it
   * there (exactly one per non-greedy token), so the next sample here is the one it would be.
   */
  replay(tokenId: number): GenerationDelta {
    if (!isGreedy(this.params)) this.#rng.next();
    return this.append(tokenId);
  }

  /** Appends a token chosen elsewhere (e.g. sampled on the device) and returns its delta. */
  append(tokenId: number, logprob?: TokenLogprob): GenerationDelta {
    if (this.finished) throw new Error(`request ${this.request_id} is already finished (${this.#finish})`);
    this.#outputIds.push(tokenId);
    this.#processors?.note(tokenId);
    let text = '';
    // Before min_tokens, neither a stop token nor a stop string ends the output (vLLM's rule;
    // its processors keep stop tokens from being sampled, but one may still be appended as a
    // replayed or forced token).
    const mayStop = this.#outputIds.length > (this.params.min_tokens ?? 0);
    if (mayStop && (this.#eos.has(tokenId) || this.#stopIds.has(tokenId))) {
      // The stop token's own text is not part of the output (vLLM's default).
      if (!this.#eos.has(tokenId)) this.#stopReason = tokenId;
      text = this.#finishWith('stop');
    } else {
      const piece = this.#detok.push(tokenId);
      const scan = mayStop ? this.#stops.push(piece) : { text: this.#stops.flush() + piece };
      text = scan.text;
      if (scan.stop !== undefined) {
        this.#finish = 'stop';
        this.#stopReason = scan.stop;
      } else if (this.#outputIds.length >= this.params.max_tokens) {
        text += this.#finishWith('length');
      }
    }
    return {
      request_id: this.request_id,
      token_ids: [tokenId],
      text,
      ...(logprob !== undefined ? { logprobs: [logprob] } : {}),
      ...(this.#finish !== undefined ? { finish_reason: this.#finish } : {}),
    };
  }

  /**
   * Ends the request because its engine dropped it as never admissible (vLLM's ignored
   * request: a preempted sequence grown past the token cap); vLLM's server reports those with
   * finish_reason 'length'. Returns the delta with the held-back text.
   */
  ignore(): GenerationDelta {
    return this.#end('length');
  }

  /** Ends the request (abort or engine shutdown); returns the delta with the held-back text. */
  abort(): GenerationDelta {
    return this.#end('abort');
  }

  /** The last delta of a request ended from outside its sampling, with the held-back text. */
  #end(reason: FinishReason): GenerationDelta {
    const text = this.finished ? '' : this.#finishWith(reason);
    return { request_id: this.request_id, token_ids: [], text, finish_reason: this.#finish ?? reason };
  }

  #finishWith(reason: FinishReason): string {
    // Characters still split, then text held for a possible stop string, which may now complete one.
    const scan = this.#stops.push(this.#detok.flush());
    this.#finish = reason;
    if (scan.stop !== undefined) {
      this.#finish = 'stop';
      this.#stopReason = scan.stop;
      return scan.text;
    }
    return scan.text + this.#stops.flush();
  }
}
