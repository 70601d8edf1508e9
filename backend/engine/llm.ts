// vLLM's offline API in TypeScript: `const llm = await LLM.create({ model: 'tiny' });
// const outs = await llm.generate(['Hello'], { max_tokens: 16, temperature: 0 })`. Every
// prompt of one call runs concurrently in the engine, batched as the scheduler decides.
import { LLMEngine, type LLMEngineOptions } from './llm-engine.ts';
import { parseSamplingParams, type SamplingOptions } from './sampling-params.ts';
import type { ChatMessage, FinishReason, TokenLogprob } from './types.ts';

export type PromptInput = string | { readonly prompt_token_ids: readonly number[] };

export interface CompletionOutput {
  readonly text: string;
  readonly token_ids: readonly number[];
  readonly finish_reason: FinishReason;
  readonly logprobs?: readonly TokenLogprob[];
}

export interface RequestOutput {
  readonly request_id: string;
  readonly prompt: string | undefined;
  readonly prompt_token_ids: readonly number[];
  readonly outputs: readonly [CompletionOutput];
}

export class LLM {
  #next = 0;

  private constructor(readonly engine: LLMEngine) {}

  static async create(opts: LLMEngineOptions): Promise<LLM> {
    return new LLM(await LLMEngine.create(opts));
  }

  /** Generates one completion per prompt; results in prompt order. */
  async generate(prompts: PromptInput | readonly PromptInput[], options: SamplingOptions = {}): Promise<RequestOutput[]> {
    const list = Array.isArray(prompts) ? (prompts as readonly PromptInput[]) : [prompts as PromptInput];
    const sampling = parseSamplingParams(options, this.engine.model.generation, 'sampling options');
    return Promise.all(
      list.map(async (p) => {
        const prompt = typeof p === 'string' ? p : undefined;
        const ids = typeof p === 'string' ? this.engine.tokenizer.encode(p, { add_special_tokens: true }) : [...p.prompt_token_ids];
        const request_id = String(this.#next++);
        let text = '';
        const token_ids: number[] = [];
        const logprobs: TokenLogprob[] = [];
        let finish: FinishReason = 'abort';
        for await (const d of this.engine.generate({ request_id, prompt_token_ids: ids, sampling })) {
          text += d.text;
          token_ids.push(...d.token_ids);
          if (d.logprobs) logprobs.push(...d.logprobs);
          if (d.finish_reason) finish = d.finish_reason;
        }
        const out: CompletionOutput = { text, token_ids, finish_reason: finish, ...(sampling.logprobs !== undefined ? { logprobs } : {}) };
        return { request_id, prompt, prompt_token_ids: ids, outputs: [out] as const };
      }),
    );
  }

  /** Applies the model's chat template to each conversation, then generates. */
  async chat(conversations: readonly (readonly ChatMessage[])[], options: SamplingOptions = {}): Promise<RequestOutput[]> {
    // The template writes the special tokens itself (vLLM encodes chat prompts without adding any).
    const tok = this.engine.tokenizer;
    const prompts = conversations.map((m) => ({ prompt_token_ids: tok.encode(tok.applyChatTemplate(m, { add_generation_prompt: true }), { add_special_tokens: false }) }));
    return this.generate(prompts, options);
  }

  shutdown(): Promise<void> {
    return this.engine.shutdown();
  }
}
