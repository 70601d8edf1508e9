// A deterministic GenerationEngine for tests (a test double, not product code). Bytes are
// tokens (ids 0–255), 256 is EOS. Output token i is a lowercase letter derived from the prompt
// (and the seed when sampling), so a test can compute the expected text itself. A prompt
// containing `eos@K` ends with EOS after K tokens.
import seedrandom from 'seedrandom';
import type { ChatMessage, EngineStats, GenerationDelta, GenerationEngine, GenerationRequest, TextTokenizer } from '../../backend/engine/types.ts';

export const EOS = 256;

export const byteTokenizer: TextTokenizer = {
  encode: (text) => [...Buffer.from(text, 'utf8')],
  decode: (ids, options) => Buffer.from(ids.filter((id) => id < 256 || options?.skip_special_tokens === false).map((id) => (id < 256 ? id : 0x3f))).toString('utf8'),
  applyChatTemplate: (messages: readonly ChatMessage[], options) =>
    messages.map((m) => `<${m.role}>${m.content}\n`).join('') + (options?.add_generation_prompt === false ? '' : '<assistant>'),
  eos_token_ids: [EOS],
};

/** The letter the test engine emits at position i for this prompt (greedy, or seeded when temperature > 0). */
export function expectedTokens(prompt: readonly number[], n: number, options: { seed?: number; temperature?: number } = {}): number[] {
  const base = prompt.reduce((s, t) => s + t, 0);
  const rng = (options.temperature ?? 0) > 0 ? seedrandom(String(options.seed ?? 0)) : undefined;
  return Array.from({ length: n }, (_, i) => 97 + ((base + 7 * i + (rng === undefined ? 0 : Math.floor(rng() * 26))) % 26));
}

export interface TestEngineOptions {
  readonly model_name?: string;
  readonly max_model_len?: number;
  /** Wait between tokens (ms); 0 yields to the event loop only. */
  readonly token_delay_ms?: number;
  /** Tokens per delta. */
  readonly tokens_per_delta?: number;
}

export class TestEngine implements GenerationEngine {
  readonly model_name: string;
  readonly max_model_len: number;
  readonly tokenizer = byteTokenizer;
  /** Every request the engine received, in order. */
  readonly requests: GenerationRequest[] = [];
  /** Ids of requests that ended because their signal aborted. */
  readonly aborted: string[] = [];
  /** Most requests generating at once so far. */
  peak_running = 0;
  readonly #delay_ms: number;
  readonly #per_delta: number;
  #running = 0;
  #onAbort: (() => void) | undefined;

  constructor(options: TestEngineOptions = {}) {
    this.model_name = options.model_name ?? 'test-model';
    this.max_model_len = options.max_model_len ?? 256;
    this.#delay_ms = options.token_delay_ms ?? 0;
    this.#per_delta = options.tokens_per_delta ?? 1;
  }

  stats(): EngineStats {
    return { num_requests_running: this.#running, num_requests_waiting: 0, kv_cache_usage_perc: Math.min(1, this.#running / 8) };
  }

  /** Resolves at the next abort the engine sees. */
  nextAbort(): Promise<void> {
    return new Promise((resolve) => (this.#onAbort = resolve));
  }

  async *generate(request: GenerationRequest, signal?: AbortSignal): AsyncIterable<GenerationDelta> {
    this.requests.push(request);
    this.#running++;
    this.peak_running = Math.max(this.peak_running, this.#running);
    let aborted = false;
    let finished = false;
    try {
      const { sampling } = request;
      const prompt = byteTokenizer.decode(request.prompt_token_ids);
      const eosAt = /eos@(\d+)/.exec(prompt);
      const letters = expectedTokens(request.prompt_token_ids, sampling.max_tokens, {
        ...(sampling.seed !== undefined ? { seed: sampling.seed } : {}),
        temperature: sampling.temperature,
      });
      const tokens = eosAt !== null && !sampling.ignore_eos ? [...letters.slice(0, Number(eosAt[1])), EOS] : letters;
      let text = '';
      let first = true;
      for (let i = 0; i < tokens.length; i += this.#per_delta) {
        await new Promise((resolve) => (this.#delay_ms > 0 ? setTimeout(resolve, this.#delay_ms) : setImmediate(resolve)));
        if (signal?.aborted) {
          aborted = true;
          yield { request_id: request.request_id, token_ids: [], text: '', finish_reason: 'abort' };
          return;
        }
        const ids = tokens.slice(i, i + this.#per_delta);
        const eos = ids.includes(EOS);
        const visible = ids.filter((id) => id !== EOS);
        const chunk = byteTokenizer.decode(visible);
        const stop = sampling.stop.find((s) => (text + chunk).includes(s));
        const out = stop === undefined ? chunk : (text + chunk).slice(0, (text + chunk).indexOf(stop)).slice(text.length);
        text += out;
        const finish = stop !== undefined || eos ? 'stop' : i + this.#per_delta >= tokens.length ? 'length' : undefined;
        yield {
          request_id: request.request_id,
          token_ids: ids,
          text: out,
          ...(sampling.logprobs !== undefined
            ? { logprobs: ids.map((id) => ({ token_id: id, logprob: -0.5, top: Array.from({ length: sampling.logprobs ?? 0 }, (_, k) => ({ token_id: 97 + ((id + k) % 26), logprob: -0.5 - k })) })) }
            : {}),
          ...(first ? { queue_time_s: 0.002 } : {}),
          ...(finish !== undefined ? { finish_reason: finish } : {}),
        };
        first = false;
        if (finish !== undefined) {
          finished = true;
          return;
        }
      }
    } finally {
      this.#running--;
      // Ended by its signal: seen here, or by a consumer that stopped reading once it aborted (the
      // API leaves every choice of `n` at the first abort; a choice whose next token was already
      // out is returned, not read again, so this generator never gets to look at the signal).
      if (aborted || (!finished && signal?.aborted === true)) {
        this.aborted.push(request.request_id);
        this.#onAbort?.();
      }
    }
  }
}
