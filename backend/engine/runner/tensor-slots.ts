// Which HF tensors the native runner reads, in the slot order cuda/model_runner_wrap.cpp
// expects, with the shape each must have for a given architecture.
import { layerTensorName, type ModelArch } from '../../model/arch.ts';

export interface TensorSlot {
  /** HF tensor name, e.g. model.layers.0.self_attn.q_proj.weight. */
  name: string;
  shape: readonly number[];
  /** Absent is allowed (and the slot passed as null). */
  optional: boolean;
  /** When false the tensor is not read even if present (lm_head of a tied model, biases without attention_bias). */
  used: boolean;
}

export const GLOBAL_SLOTS = 3;
export const LAYER_SLOTS = 12;

export function tensorSlots(a: ModelArch): TensorSlot[] {
  const H = a.hidden_size, I = a.intermediate_size;
  const q = a.num_attention_heads * a.head_dim;
  const kv = a.num_key_value_heads * a.head_dim;
  const req = (name: string, shape: number[]): TensorSlot => ({ name, shape, optional: false, used: true });
  const slots: TensorSlot[] = [
    req('model.embed_tokens.weight', [a.vocab_size, H]),
    req('model.norm.weight', [H]),
    { name: 'lm_head.weight', shape: [a.vocab_size, H], optional: a.tie_word_embeddings, used: !a.tie_word_embeddings },
  ];
  for (let l = 0; l < a.num_hidden_layers; l++) {
    const n = (s: string): string => layerTensorName(l, s);
    const bias = (s: string, len: number): TensorSlot => ({ name: n(s), shape: [len], optional: !a.attention_bias, used: a.attention_bias });
    slots.push(
      req(n('input_layernorm.weight'), [H]),
      req(n('self_attn.q_proj.weight'), [q, H]),
      req(n('self_attn.k_proj.weight'), [kv, H]),
      req(n('self_attn.v_proj.weight'), [kv, H]),
      req(n('self_attn.o_proj.weight'), [H, q]),
      bias('self_attn.q_proj.bias', q),
      bias('self_attn.k_proj.bias', kv),
      bias('self_attn.v_proj.bias', kv),
      req(n('post_attention_layernorm.weight'), [H]),
      req(n('mlp.gate_proj.weight'), [I, H]),
      req(n('mlp.up_proj.weight'), [I, H]),
      req(n('mlp.down_proj.weight'), [H, I]),
    );
  }
  return slots;
}
