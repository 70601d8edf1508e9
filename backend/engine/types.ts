// The contract between a generation engine (backend/engine: engine/ scheduler + native model
// runner) and whatever serves it (the offline LLM API, the OpenAI server, instance processes).

/** Per-request sampling, named as vLLM's SamplingParams. */
export interface SamplingParams {
  /** Tokens to generate at most. */
  readonly max_tokens: number;
  /** 0 means greedy. */
  readonly temperature: number;
  /** 1 means off. */
  readonly top_p: number;
  /** 0 or -1 means off. */
  readonly top_k: number;
  /** Seeds this request's own random stream; absent: derived from the engine seed and request id. */
  readonly seed?: number;
  /** Generation stops before these strings; they are not returned. */
  readonly stop: readonly string[];
  /** Generation stops after these token ids (besides the model's EOS unless ignore_eos). */
  readonly stop_token_ids: readonly number[];
  readonly ignore_eos: boolean;
  /** Log-probabilities of this many top tokens per generated token (0: only the chosen one's, undefined: none). */
  readonly logprobs?: number;
  /** Subtracted once from the logit of every token already in the output (OpenAI's; 0 or absent: off). */
  readonly presence_penalty?: number;
  /** Subtracted from a token's logit once per time it is in the output (OpenAI's; 0 or absent: off). */
  readonly frequency_penalty?: number;
  /** vLLM's: tokens in the prompt or output have positive logits divided by it, others multiplied (1 or absent: off). */
  readonly repetition_penalty?: number;
  /** EOS and stop tokens cannot end the output, nor stop strings match, before this many tokens (vLLM's). */
  readonly min_tokens?: number;
  /** vLLM's: tokens whose probability (after temperature) is below min_p times the best one's are not drawn (0 or absent: off). */
  readonly min_p?: number;
  /** (token id, bias) pairs added to the logits, ids ascending (OpenAI's logit_bias). */
  readonly logit_bias?: readonly (readonly [number, number])[];
}

export type FinishReason = 'stop' | 'length' | 'abort';

export interface GenerationRequest {
  readonly request_id: string;
  /** Token ids of the prompt (already templated and tokenized). */
  readonly prompt_token_ids: readonly number[];
  readonly sampling: SamplingParams;
  /** Llumnix priority class. */
  readonly priority?: 'normal' | 'high';
  /**
   * Output tokens this request already produced elsewhere (its instance died): the engine
   * recomputes their KV, replays its output state over them and continues with the next token,
   * so the client's stream goes on without a gap or a duplicate.
   */
  readonly resume_output_token_ids?: readonly number[];
}

export interface TokenLogprob {
  readonly token_id: number;
  readonly logprob: number;
  readonly top?: readonly { readonly token_id: number; readonly logprob: number }[];
}

/** One increment of a request's output; the last one carries finish_reason. */
export interface GenerationDelta {
  readonly request_id: string;
  /** Token ids produced since the previous delta. */
  readonly token_ids: readonly number[];
  /** Text produced since the previous delta (incremental detokenisation, never a split character). */
  readonly text: string;
  readonly logprobs?: readonly TokenLogprob[];
  readonly finish_reason?: FinishReason;
  /**
   * Seconds the request waited between arrival at the engine and its first scheduling (vLLM's
   * queue time); engines that know it set it once, on the request's first delta.
   */
  readonly queue_time_s?: number;
  /**
   * Set on the last delta an instance sends for a request that migrated away: the address of
   * the instance that continues it (the fleet manager re-attaches there; clients never see it).
   */
  readonly migrated_to?: string;
  /**
   * A delta with no tokens that an instance sends when a live migration of the request to that
   * address has reserved blocks there (before its COMMIT; the request keeps running here until
   * `migrated_to`, or on here for good when the migration aborts). The fleet manager attaches
   * to the destination ahead, so the destination's first token flows without an Attach round
   * trip; clients never see it.
   */
  readonly migrating_to?: string;
  /**
   * The first delta (no tokens) of a request committed on an instance by a live migration: how
   * many output tokens the request had when it left its source; what follows continues from
   * there. A manager that attached ahead and has received exactly that many tokens switches to
   * this stream at once, without waiting for the source's `migrated_to`; clients never see it.
   */
  readonly resumes_at?: number;
  /**
   * With `resumes_at`: the COMMIT was a snapshot and the source keeps decoding (the snapshot
   * last stage). This stream catches up (the source sends it the tokens it produces after the
   * snapshot) and the manager switches once it holds every token the client has, then stops
   * the source; clients never see it.
   */
  readonly source_continues?: boolean;
  /**
   * When the engine step that produced these tokens ended, Unix epoch ms (sub-millisecond).
   * With `arrived_unix_ms` (first delta only: when the engine received the request) it splits a
   * client's latency into dispatch, engine and delivery time (the fidelity report does).
   */
  readonly produced_unix_ms?: number;
  readonly arrived_unix_ms?: number;
}

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant' | 'tool';
  readonly content: string;
}

/** Text ↔ tokens for one model (tokenizer.json + chat template). */
export interface TextTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
  decode(ids: readonly number[], options?: { skip_special_tokens?: boolean }): string;
  applyChatTemplate(messages: readonly ChatMessage[], options?: { add_generation_prompt?: boolean }): string;
  readonly eos_token_ids: readonly number[];
}

/** An engine's load right now, as vLLM's gauges report it. */
export interface EngineStats {
  /** Requests scheduled in the running batch. */
  readonly num_requests_running: number;
  /** Requests admitted but waiting (queued or preempted). */
  readonly num_requests_waiting: number;
  /** Fraction of KV-cache blocks in use, 0–1. */
  readonly kv_cache_usage_perc: number;
}

/** What an API server needs of one model's engine. */
export interface GenerationEngine {
  readonly model_name: string;
  readonly max_model_len: number;
  readonly tokenizer: TextTokenizer;
  /** Streams the request's output; aborting the signal ends it with finish_reason 'abort' and frees its blocks. */
  generate(request: GenerationRequest, signal?: AbortSignal): AsyncIterable<GenerationDelta>;
  /** Current load for the `/metrics` gauges; engines without it leave those gauges unset. */
  stats?(): EngineStats;
}
