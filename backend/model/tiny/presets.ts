// Named shapes for tiny random models. `tiny` is what `--model tiny` serves; `tiny-3b` and
// `tiny-1_5b` stand in for ServerlessLLM's example pair (a "3B" and a "1.5B" model): same
// family, 2.4× apart in bytes, both small enough for CI.
import type { ArchName } from '../arch.ts';
import type { TinyDtype } from './random-weights.ts';

export interface TinySpec {
  readonly arch: ArchName;
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  readonly kv_heads: number;
  readonly intermediate: number;
  /** config.json vocab_size; rows past the tokenizer's tokens are padding, as in Qwen2's 151936. */
  readonly vocab: number;
  readonly dtype: TinyDtype;
  readonly max_position_embeddings: number;
}

export const TINY_PRESETS = {
  /** ~3.5 MB f32; Qwen2-shaped (q/k/v biases, tied embeddings, GQA 2:1). */
  'tiny': { arch: 'qwen2', layers: 4, hidden: 128, heads: 4, kv_heads: 2, intermediate: 352, vocab: 1024, dtype: 'f32', max_position_embeddings: 2048 },
  /** Llama-shaped twin of `tiny` (untied lm_head, llama3 RoPE scaling). */
  'tiny-llama': { arch: 'llama', layers: 4, hidden: 128, heads: 4, kv_heads: 2, intermediate: 352, vocab: 1024, dtype: 'f32', max_position_embeddings: 2048 },
  /** Stand-in for a 3B model: 9.5 MB bf16. */
  'tiny-3b': { arch: 'qwen2', layers: 6, hidden: 256, heads: 8, kv_heads: 2, intermediate: 704, vocab: 2048, dtype: 'bf16', max_position_embeddings: 4096 },
  /**
   * Stand-in for Llumnix's LLaMA-7B in bench:serve: ~10M multiply-adds per token (12× `tiny`),
   * so that a decode step is long against the API's and a migration's fixed per-token and
   * per-move costs, as a 7B model's GPU step is; 44 MB f32.
   */
  'tiny-7b': { arch: 'llama', layers: 6, hidden: 384, heads: 6, kv_heads: 2, intermediate: 1024, vocab: 2048, dtype: 'f32', max_position_embeddings: 4096 },
  /** Stand-in for a 1.5B model: 3.9 MB bf16 (the 3B stand-in is 2.4× its bytes). */
  'tiny-1_5b': { arch: 'qwen2', layers: 4, hidden: 192, heads: 6, kv_heads: 2, intermediate: 512, vocab: 2048, dtype: 'bf16', max_position_embeddings: 4096 },
} as const satisfies Record<string, TinySpec>;

export type TinyPresetName = keyof typeof TINY_PRESETS;
export const TINY_PRESET_NAMES = Object.keys(TINY_PRESETS) as TinyPresetName[];

export function isTinyPreset(name: string): name is TinyPresetName {
  return Object.hasOwn(TINY_PRESETS, name);
}
