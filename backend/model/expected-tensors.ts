// The tensors a ModelArch needs, by HF name with their shapes (the list in arch.ts, as data).
import { layerTensorName, type ModelArch } from './arch.ts';

export interface ExpectedTensor {
  readonly name: string;
  readonly shape: readonly number[];
}

export function expectedTensors(a: ModelArch): ExpectedTensor[] {
  const q = a.num_attention_heads * a.head_dim;
  const kv = a.num_key_value_heads * a.head_dim;
  const h = a.hidden_size;
  const out: ExpectedTensor[] = [{ name: 'model.embed_tokens.weight', shape: [a.vocab_size, h] }];
  for (let i = 0; i < a.num_hidden_layers; i++) {
    const t = (suffix: string, shape: number[]) => out.push({ name: layerTensorName(i, suffix), shape });
    t('input_layernorm.weight', [h]);
    t('self_attn.q_proj.weight', [q, h]);
    t('self_attn.k_proj.weight', [kv, h]);
    t('self_attn.v_proj.weight', [kv, h]);
    if (a.attention_bias) {
      t('self_attn.q_proj.bias', [q]);
      t('self_attn.k_proj.bias', [kv]);
      t('self_attn.v_proj.bias', [kv]);
    }
    t('self_attn.o_proj.weight', [h, q]);
    t('post_attention_layernorm.weight', [h]);
    t('mlp.gate_proj.weight', [a.intermediate_size, h]);
    t('mlp.up_proj.weight', [a.intermediate_size, h]);
    t('mlp.down_proj.weight', [h, a.intermediate_size]);
  }
  out.push({ name: 'model.norm.weight', shape: [h] });
  if (!a.tie_word_embeddings) out.push({ name: 'lm_head.weight', shape: [a.vocab_size, h] });
  return out;
}
