// HF `config.json` → ModelArch. Only the fields the runner needs are read; everything else in
// the file (torch_dtype, transformers_version, use_cache, …) is ignored, as transformers does.
import { z } from 'zod';
import { ConfigError, parseConfig } from '../../config/index.ts';
import type { ArchName, ModelArch, RopeScaling } from './arch.ts';

/** HF `architectures[0]` → our name. Anything else is refused by name. */
export const SUPPORTED_ARCHITECTURES: Readonly<Record<string, ArchName>> = {
  LlamaForCausalLM: 'llama',
  Qwen2ForCausalLM: 'qwen2',
};

const positiveInt = z.number().int().positive();

const ropeScalingSchema = z.union([
  z.null(),
  z.looseObject({
    // transformers accepts both spellings (`type` is the older one).
    rope_type: z.string().optional(),
    type: z.string().optional(),
    factor: z.number().positive().optional(),
    low_freq_factor: z.number().positive().optional(),
    high_freq_factor: z.number().positive().optional(),
    original_max_position_embeddings: positiveInt.optional(),
  }),
]);

const configSchema = z.looseObject({
  architectures: z.array(z.string()).min(1),
  vocab_size: positiveInt,
  hidden_size: positiveInt,
  intermediate_size: positiveInt,
  num_hidden_layers: positiveInt,
  num_attention_heads: positiveInt,
  /** Absent in old Llama configs: plain multi-head attention. */
  num_key_value_heads: positiveInt.optional(),
  head_dim: positiveInt.nullable().optional(),
  rms_norm_eps: z.number().positive().lt(1).optional(),
  rope_theta: z.number().positive().optional(),
  rope_scaling: ropeScalingSchema.optional(),
  max_position_embeddings: positiveInt.optional(),
  tie_word_embeddings: z.boolean().optional(),
  attention_bias: z.boolean().optional(),
  mlp_bias: z.boolean().optional(),
  hidden_act: z.string().optional(),
  /** Qwen2's sliding window is off in every released checkpoint; on, it would change attention. */
  use_sliding_window: z.boolean().optional(),
});

type RawConfig = z.infer<typeof configSchema>;

function fail(source: string, option: string, expected: string, received: unknown): never {
  throw ConfigError.single(option, expected, received, { source });
}

function parseRopeScaling(raw: RawConfig, source: string): RopeScaling {
  const rs = raw.rope_scaling;
  if (rs === undefined || rs === null) return { kind: 'none' };
  const kind = rs.rope_type ?? rs.type;
  if (kind === 'default') return { kind: 'none' };
  if (kind !== 'llama3') fail(source, 'rope_scaling.rope_type', 'one of "llama3" | "default" (other RoPE scalings are not implemented)', kind);
  const need = (field: 'factor' | 'low_freq_factor' | 'high_freq_factor' | 'original_max_position_embeddings'): number => {
    const v = rs[field];
    if (v === undefined) fail(source, `rope_scaling.${field}`, 'present for rope_type "llama3"', undefined);
    return v;
  };
  const scaling = {
    kind: 'llama3' as const,
    factor: need('factor'),
    low_freq_factor: need('low_freq_factor'),
    high_freq_factor: need('high_freq_factor'),
    original_max_position_embeddings: need('original_max_position_embeddings'),
  };
  if (scaling.high_freq_factor <= scaling.low_freq_factor) {
    fail(source, 'rope_scaling.high_freq_factor', `> low_freq_factor (${scaling.low_freq_factor})`, scaling.high_freq_factor);
  }
  return scaling;
}

/** Parses a config.json object; `source` names the file in every error. */
export function parseHfConfig(input: unknown, source = 'config.json'): ModelArch {
  const raw = parseConfig(configSchema, input, '', source);
  const hfArch = raw.architectures[0]!;
  const arch = SUPPORTED_ARCHITECTURES[hfArch];
  if (arch === undefined) fail(source, 'architectures[0]', `one of ${Object.keys(SUPPORTED_ARCHITECTURES).map((a) => `"${a}"`).join(' | ')} (unsupported architecture)`, hfArch);
  const kvHeads = raw.num_key_value_heads ?? raw.num_attention_heads;
  if (raw.num_attention_heads % kvHeads !== 0) {
    fail(source, 'num_key_value_heads', `a divisor of num_attention_heads (${raw.num_attention_heads})`, kvHeads);
  }
  const headDim = raw.head_dim ?? raw.hidden_size / raw.num_attention_heads;
  if (!Number.isInteger(headDim)) {
    fail(source, 'num_attention_heads', `a divisor of hidden_size (${raw.hidden_size}) when head_dim is absent`, raw.num_attention_heads);
  }
  if (headDim % 2 !== 0) fail(source, 'head_dim', 'an even number (RoPE rotates pairs)', headDim);
  if (raw.hidden_act !== undefined && raw.hidden_act !== 'silu') fail(source, 'hidden_act', '"silu" (SwiGLU)', raw.hidden_act);
  if (raw.mlp_bias === true) fail(source, 'mlp_bias', 'false (MLP biases are not implemented)', raw.mlp_bias);
  if (raw.use_sliding_window === true) fail(source, 'use_sliding_window', 'false (sliding-window attention is not implemented)', raw.use_sliding_window);
  // Qwen2 always has q/k/v biases and its config does not say so; Llama says so in attention_bias.
  const attentionBias = arch === 'qwen2' ? true : (raw.attention_bias ?? false);
  if (arch === 'qwen2' && raw.attention_bias === false) fail(source, 'attention_bias', 'true or absent for Qwen2ForCausalLM (Qwen2 always has q/k/v biases)', false);
  return {
    arch,
    vocab_size: raw.vocab_size,
    hidden_size: raw.hidden_size,
    intermediate_size: raw.intermediate_size,
    num_hidden_layers: raw.num_hidden_layers,
    num_attention_heads: raw.num_attention_heads,
    num_key_value_heads: kvHeads,
    head_dim: headDim,
    rms_norm_eps: raw.rms_norm_eps ?? 1e-6,
    rope_theta: raw.rope_theta ?? 10000,
    rope_scaling: parseRopeScaling(raw, source),
    max_position_embeddings: raw.max_position_embeddings ?? 2048,
    tie_word_embeddings: raw.tie_word_embeddings ?? false,
    attention_bias: attentionBias,
  };
}

/** The config.json a model of this arch would ship (make-tiny writes it; parseHfConfig reads it back). */
export function toHfConfig(arch: ModelArch, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {
    architectures: [arch.arch === 'llama' ? 'LlamaForCausalLM' : 'Qwen2ForCausalLM'],
    model_type: arch.arch,
    vocab_size: arch.vocab_size,
    hidden_size: arch.hidden_size,
    intermediate_size: arch.intermediate_size,
    num_hidden_layers: arch.num_hidden_layers,
    num_attention_heads: arch.num_attention_heads,
    num_key_value_heads: arch.num_key_value_heads,
    head_dim: arch.head_dim,
    hidden_act: 'silu',
    rms_norm_eps: arch.rms_norm_eps,
    rope_theta: arch.rope_theta,
    rope_scaling: arch.rope_scaling.kind === 'none' ? null : {
      rope_type: 'llama3',
      factor: arch.rope_scaling.factor,
      low_freq_factor: arch.rope_scaling.low_freq_factor,
      high_freq_factor: arch.rope_scaling.high_freq_factor,
      original_max_position_embeddings: arch.rope_scaling.original_max_position_embeddings,
    },
    max_position_embeddings: arch.max_position_embeddings,
    tie_word_embeddings: arch.tie_word_embeddings,
    ...(arch.arch === 'llama' ? { attention_bias: arch.attention_bias, mlp_bias: false } : { use_sliding_window: false }),
    ...extra,
  };
  return out;
}
