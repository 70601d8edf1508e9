/** One request of a workload, before it reaches any cluster. Times in seconds from t = 0. */
export interface RequestSpec {
  readonly id: number;
  readonly arrival_s: number;
  readonly prompt_tokens: number;
  /** Tokens to generate (the client sets max_tokens and ignore_eos, as Llumnix's benchmark). */
  readonly output_tokens: number;
  readonly priority: 'normal' | 'high';
  /** Model asked for; undefined in single-model fleets. */
  readonly model?: string;
  /**
   * Prefix identity from the trace (Mooncake `hash_ids`): one id per `hash_block_tokens`
   * prompt tokens, equal ids meaning equal prefixes. Engines with prefix caching reuse them.
   */
  readonly hash_ids?: readonly number[];
  readonly hash_block_tokens?: number;
}

/** A uniform [0, 1) source; the simulation hands each component its own seeded stream. */
export type Rng = () => number;
