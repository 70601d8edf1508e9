// Independent reference forward (test-only): plain float64 TypeScript, no paging, no batching,
// the whole sequence recomputed from scratch. It follows HF's LlamaForCausalLM /
// Qwen2ForCausalLM semantics (RMSNorm, rotate-half RoPE incl. llama3 scaling, GQA, SwiGLU,
// QKV bias, tied embeddings) and is written without looking at the native code's structure.
import type { ModelArch } from '../../backend/model/arch.ts';
import { layerTensorName } from '../../backend/model/arch.ts';

type Weights = Map<string, Float64Array>;

function w(ws: Weights, name: string): Float64Array {
  const v = ws.get(name);
  if (!v) throw new Error(`reference: missing ${name}`);
  return v;
}

/** y[n] = sum_k W[n, k] x[k] (+ b[n]). */
function linear(W: Float64Array, x: Float64Array, out: number, b?: Float64Array): Float64Array {
  const K = x.length;
  const y = new Float64Array(out);
  for (let n = 0; n < out; n++) {
    let s = b ? b[n]! : 0;
    for (let k = 0; k < K; k++) s += W[n * K + k]! * x[k]!;
    y[n] = s;
  }
  return y;
}

function rmsNorm(x: Float64Array, g: Float64Array, eps: number): Float64Array {
  let ss = 0;
  for (const v of x) ss += v * v;
  const inv = 1 / Math.sqrt(ss / x.length + eps);
  return x.map((v, i) => v * inv * g[i]!);
}

export function inverseFrequencies(a: ModelArch): Float64Array {
  const half = a.head_dim / 2;
  const out = new Float64Array(half);
  for (let i = 0; i < half; i++) {
    let f = 1 / a.rope_theta ** ((2 * i) / a.head_dim);
    const rs = a.rope_scaling;
    if (rs.kind === 'llama3') {
      const wavelen = (2 * Math.PI) / f;
      const low = rs.original_max_position_embeddings / rs.low_freq_factor;
      const high = rs.original_max_position_embeddings / rs.high_freq_factor;
      if (wavelen > low) f /= rs.factor;
      else if (wavelen >= high) {
        const smooth = (rs.original_max_position_embeddings / wavelen - rs.low_freq_factor) / (rs.high_freq_factor - rs.low_freq_factor);
        f = ((1 - smooth) * f) / rs.factor + smooth * f;
      }
    }
    out[i] = f;
  }
  return out;
}

function rope(v: Float64Array, heads: number, D: number, pos: number, inv: Float64Array): void {
  const half = D / 2;
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < half; i++) {
      const c = Math.cos(pos * inv[i]!), s = Math.sin(pos * inv[i]!);
      const a = v[h * D + i]!, b = v[h * D + i + half]!;
      v[h * D + i] = a * c - b * s;
      v[h * D + i + half] = b * c + a * s;
    }
  }
}

/** Logits at every position of `tokens` (row p = prediction after tokens[0..p]). */
export function referenceLogits(a: ModelArch, ws: Weights, tokens: readonly number[]): Float64Array[] {
  const H = a.hidden_size, D = a.head_dim, Hq = a.num_attention_heads, Hk = a.num_key_value_heads;
  const inv = inverseFrequencies(a);
  const embed = w(ws, 'model.embed_tokens.weight');
  let xs = tokens.map((t) => embed.slice(t * H, (t + 1) * H));
  for (let l = 0; l < a.num_hidden_layers; l++) {
    const n = (s: string): string => layerTensorName(l, s);
    const bias = (s: string): Float64Array | undefined => (a.attention_bias ? w(ws, n(s)) : undefined);
    const ks: Float64Array[] = [], vs: Float64Array[] = [], qs: Float64Array[] = [];
    xs.forEach((x, p) => {
      const h = rmsNorm(x, w(ws, n('input_layernorm.weight')), a.rms_norm_eps);
      const q = linear(w(ws, n('self_attn.q_proj.weight')), h, Hq * D, bias('self_attn.q_proj.bias'));
      const k = linear(w(ws, n('self_attn.k_proj.weight')), h, Hk * D, bias('self_attn.k_proj.bias'));
      const v = linear(w(ws, n('self_attn.v_proj.weight')), h, Hk * D, bias('self_attn.v_proj.bias'));
      rope(q, Hq, D, p, inv);
      rope(k, Hk, D, p, inv);
      qs.push(q), ks.push(k), vs.push(v);
    });
    xs = xs.map((x, p) => {
      const att = new Float64Array(Hq * D);
      for (let h = 0; h < Hq; h++) {
        const kh = Math.floor(h / (Hq / Hk));
        const scores = new Float64Array(p + 1);
        for (let j = 0; j <= p; j++) {
          let s = 0;
          for (let d = 0; d < D; d++) s += qs[p]![h * D + d]! * ks[j]![kh * D + d]!;
          scores[j] = s / Math.sqrt(D);
        }
        const m = Math.max(...scores);
        let sum = 0;
        for (let j = 0; j <= p; j++) sum += (scores[j] = Math.exp(scores[j]! - m));
        for (let j = 0; j <= p; j++)
          for (let d = 0; d < D; d++) att[h * D + d] = att[h * D + d]! + (scores[j]! / sum) * vs[j]![kh * D + d]!;
      }
      const o = linear(w(ws, n('self_attn.o_proj.weight')), att, H);
      const x1 = x.map((v, i) => v + o[i]!);
      const h2 = rmsNorm(x1, w(ws, n('post_attention_layernorm.weight')), a.rms_norm_eps);
      const g = linear(w(ws, n('mlp.gate_proj.weight')), h2, a.intermediate_size);
      const u = linear(w(ws, n('mlp.up_proj.weight')), h2, a.intermediate_size);
      const act = g.map((gv, i) => (gv / (1 + Math.exp(-gv))) * u[i]!);
      const d = linear(w(ws, n('mlp.down_proj.weight')), act, H);
      return x1.map((v, i) => v + d[i]!);
    });
  }
  const head = w(ws, a.tie_word_embeddings ? 'model.embed_tokens.weight' : 'lm_head.weight');
  return xs.map((x) => linear(head, rmsNorm(x, w(ws, 'model.norm.weight'), a.rms_norm_eps), a.vocab_size));
}
