// The architecture of a decoder-only model as the model runner needs it: plain numbers, parsed
// from an HF `config.json` by backend/model and handed to the native runner (backend/engine).
// One shape for Llama and Qwen2; the differences are fields, not subclasses.

export type ArchName = 'llama' | 'qwen2';

/** RoPE frequency scaling; `llama3` is Llama 3.1/3.2's piecewise wavelength scaling. */
export type RopeScaling =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'llama3';
      readonly factor: number;
      readonly low_freq_factor: number;
      readonly high_freq_factor: number;
      readonly original_max_position_embeddings: number;
    };

export interface ModelArch {
  readonly arch: ArchName;
  readonly vocab_size: number;
  readonly hidden_size: number;
  readonly intermediate_size: number;
  readonly num_hidden_layers: number;
  readonly num_attention_heads: number;
  /** GQA: query heads share KV heads in groups of num_attention_heads / num_key_value_heads. */
  readonly num_key_value_heads: number;
  /** hidden_size / num_attention_heads unless the config says otherwise. */
  readonly head_dim: number;
  readonly rms_norm_eps: number;
  readonly rope_theta: number;
  readonly rope_scaling: RopeScaling;
  readonly max_position_embeddings: number;
  /** lm_head shares the embedding matrix (no `lm_head.weight` tensor). */
  readonly tie_word_embeddings: boolean;
  /** Biases on q/k/v projections (Qwen2: true; Llama: false). */
  readonly attention_bias: boolean;
}

/**
 * HF tensor names, the one naming both the checkpoint writer and the runner use:
 * model.embed_tokens.weight [vocab, hidden]
 * model.layers.{i}.input_layernorm.weight [hidden]
 * model.layers.{i}.self_attn.{q,k,v,o}_proj.weight [out, in]  (+ .bias for q,k,v when attention_bias)
 * model.layers.{i}.post_attention_layernorm.weight [hidden]
 * model.layers.{i}.mlp.{gate,up,down}_proj.weight [out, in]
 * model.norm.weight [hidden]
 * lm_head.weight [vocab, hidden]  (absent when tie_word_embeddings)
 */
export function layerTensorName(layer: number, suffix: string): string {
  return `model.layers.${layer}.${suffix}`;
}
