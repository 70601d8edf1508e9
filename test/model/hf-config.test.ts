import test from 'ava';
import { ConfigError } from '../../config/index.ts';
import { parseHfConfig, toHfConfig, tinyArch, resolveTinySpec } from '../../backend/model/index.ts';

// The fields of Qwen2.5-1.5B-Instruct's config.json (values as published), trimmed.
const qwen = {
  architectures: ['Qwen2ForCausalLM'], hidden_act: 'silu', hidden_size: 1536, intermediate_size: 8960,
  max_position_embeddings: 32768, num_attention_heads: 12, num_hidden_layers: 28, num_key_value_heads: 2,
  rms_norm_eps: 1e-6, rope_theta: 1000000.0, rope_scaling: null, sliding_window: 32768, tie_word_embeddings: true,
  torch_dtype: 'bfloat16', use_sliding_window: false, vocab_size: 151936, model_type: 'qwen2',
};
// Llama-3.2-1B's, trimmed.
const llama = {
  architectures: ['LlamaForCausalLM'], attention_bias: false, head_dim: 64, hidden_act: 'silu', hidden_size: 2048,
  intermediate_size: 8192, max_position_embeddings: 131072, mlp_bias: false, num_attention_heads: 32,
  num_hidden_layers: 16, num_key_value_heads: 8, rms_norm_eps: 1e-5,
  rope_scaling: { factor: 32.0, high_freq_factor: 4.0, low_freq_factor: 1.0, original_max_position_embeddings: 8192, rope_type: 'llama3' },
  rope_theta: 500000.0, tie_word_embeddings: true, vocab_size: 128256,
};

test('Qwen2 config: head_dim derived, q/k/v bias implied, tied embeddings', (t) => {
  const a = parseHfConfig(qwen);
  t.like(a, { arch: 'qwen2', head_dim: 128, num_key_value_heads: 2, attention_bias: true, tie_word_embeddings: true, rope_theta: 1e6, vocab_size: 151936 });
  t.deepEqual(a.rope_scaling, { kind: 'none' });
});

test('Llama 3.2 config: llama3 rope scaling parsed, explicit head_dim', (t) => {
  const a = parseHfConfig(llama);
  t.like(a, { arch: 'llama', head_dim: 64, attention_bias: false, rms_norm_eps: 1e-5, max_position_embeddings: 131072 });
  t.deepEqual(a.rope_scaling, { kind: 'llama3', factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 });
});

test('old Llama config: no num_key_value_heads means MHA; defaults for eps/theta/tie', (t) => {
  const { num_key_value_heads: _kv, head_dim: _hd, rope_scaling: _rs, rms_norm_eps: _e, rope_theta: _r, tie_word_embeddings: _t, ...old } = llama;
  const a = parseHfConfig(old);
  t.like(a, { num_key_value_heads: 32, head_dim: 64, rope_theta: 10000, rms_norm_eps: 1e-6, tie_word_embeddings: false });
  t.deepEqual(a.rope_scaling, { kind: 'none' });
  t.deepEqual(parseHfConfig({ ...llama, rope_scaling: { rope_type: 'default' } }).rope_scaling, { kind: 'none' });
});

const bad: Array<[string, Record<string, unknown>, RegExp]> = [
  ['unsupported architecture', { ...qwen, architectures: ['MistralForCausalLM'] }, /architectures\[0\].*"LlamaForCausalLM" \| "Qwen2ForCausalLM".*received "MistralForCausalLM"/],
  ['empty architectures', { ...qwen, architectures: [] }, /architectures/],
  ['missing hidden_size', { ...qwen, hidden_size: undefined }, /Expected hidden_size to be present/],
  ['zero layers', { ...qwen, num_hidden_layers: 0 }, /num_hidden_layers >= 1.*received 0|num_hidden_layers > 0.*received 0/],
  ['fractional vocab', { ...qwen, vocab_size: 10.5 }, /vocab_size.*integer.*10\.5/],
  ['string intermediate', { ...qwen, intermediate_size: '8960' }, /intermediate_size.*number.*"8960"/],
  ['kv heads not dividing', { ...qwen, num_key_value_heads: 5 }, /num_key_value_heads to be a divisor of num_attention_heads \(12\), received 5/],
  ['heads not dividing hidden', { ...qwen, num_attention_heads: 7, num_key_value_heads: 7 }, /num_attention_heads to be a divisor of hidden_size \(1536\)/],
  ['odd head_dim', { ...llama, head_dim: 63 }, /head_dim to be an even number/],
  ['negative eps', { ...qwen, rms_norm_eps: -1 }, /rms_norm_eps/],
  ['yarn scaling', { ...qwen, rope_scaling: { type: 'yarn', factor: 4 } }, /rope_scaling.rope_type.*"llama3".*received "yarn"/],
  ['llama3 scaling without factor', { ...llama, rope_scaling: { ...llama.rope_scaling, factor: undefined } }, /rope_scaling.factor to be present/],
  ['llama3 high <= low', { ...llama, rope_scaling: { ...llama.rope_scaling, high_freq_factor: 1 } }, /high_freq_factor > low_freq_factor \(1\), received 1/],
  ['gelu', { ...qwen, hidden_act: 'gelu' }, /hidden_act.*"silu".*"gelu"/],
  ['mlp bias', { ...llama, mlp_bias: true }, /mlp_bias/],
  ['sliding window', { ...qwen, use_sliding_window: true }, /use_sliding_window/],
  ['qwen2 without bias', { ...qwen, attention_bias: false }, /attention_bias/],
  ['tie as string', { ...qwen, tie_word_embeddings: 'yes' }, /tie_word_embeddings.*boolean.*"yes"/],
];
for (const [what, cfg, message] of bad) {
  test(`bad config.json: ${what} → ConfigError naming the field`, (t) => {
    const err = t.throws(() => parseHfConfig(cfg, '/models/x/config.json'), { instanceOf: ConfigError });
    t.regex(err.message, message);
    t.regex(err.message, /^\/models\/x\/config\.json: /);
  });
}

test('toHfConfig → parseHfConfig round-trips every tiny arch', (t) => {
  for (const preset of ['tiny', 'tiny-llama', 'tiny-3b', 'tiny-1_5b']) {
    const arch = tinyArch(resolveTinySpec({ preset }));
    t.deepEqual(parseHfConfig(JSON.parse(JSON.stringify(toHfConfig(arch)))), arch, preset);
  }
});
