// A minimal float64 forward pass of a tiny Llama/Qwen2 model (test-only, no KV cache: the
// whole sequence each step). It exists to check make-tiny's weight scales give informative
// logits; the runner's own correctness oracle lives with the runner.
import type { ModelArch } from '../../backend/model/index.ts';

export type Weights = (name: string) => Float64Array;

function rmsnorm(x: Float64Array, w: Float64Array, eps: number): Float64Array {
  let ss = 0;
  for (const v of x) ss += v * v;
  const k = 1 / Math.sqrt(ss / x.length + eps);
  return x.map((v, i) => v * k * w[i]!);
}

function matvec(w: Float64Array, x: Float64Array, out: number, bias?: Float64Array): Float64Array {
  const y = new Float64Array(out);
  for (let o = 0; o < out; o++) {
    let s = bias ? bias[o]! : 0;
    for (let i = 0; i < x.length; i++) s += w[o * x.length + i]! * x[i]!;
    y[o] = s;
  }
  return y;
}

function rope(v: Float64Array, heads: number, d: number, pos: number, theta: number): void {
  // HF's rotate_half layout: pairs (i, i + d/2) within each head.
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < d / 2; i++) {
      const a = pos / theta ** ((2 * i) / d);
      const x0 = v[h * d + i]!, x1 = v[h * d + i + d / 2]!;
      v[h * d + i] = x0 * Math.cos(a) - x1 * Math.sin(a);
      v[h * d + i + d / 2] = x1 * Math.cos(a) + x0 * Math.sin(a);
    }
  }
}

/** Logits of the last position (RoPE without llama3 scaling: the tests stay below its bands). */
export function lastLogits(a: ModelArch, W: Weights, ids: readonly number[]): Float64Array {
  const H = a.hidden_size, d = a.head_dim, nq = a.num_attention_heads, nkv = a.num_key_value_heads;
  const emb = W('model.embed_tokens.weight');
  let xs = ids.map((id) => emb.slice(id * H, (id + 1) * H));
  for (let l = 0; l < a.num_hidden_layers; l++) {
    const p = (s: string) => W(`model.layers.${l}.${s}`);
    const b = (s: string) => (a.attention_bias ? p(s) : undefined);
    const normed = xs.map((x) => rmsnorm(x, p('input_layernorm.weight'), a.rms_norm_eps));
    const q = normed.map((x, t) => { const v = matvec(p('self_attn.q_proj.weight'), x, nq * d, b('self_attn.q_proj.bias')); rope(v, nq, d, t, a.rope_theta); return v; });
    const k = normed.map((x, t) => { const v = matvec(p('self_attn.k_proj.weight'), x, nkv * d, b('self_attn.k_proj.bias')); rope(v, nkv, d, t, a.rope_theta); return v; });
    const v = normed.map((x) => matvec(p('self_attn.v_proj.weight'), x, nkv * d, b('self_attn.v_proj.bias')));
    xs = xs.map((x, t) => {
      const att = new Float64Array(nq * d);
      for (let h = 0; h < nq; h++) {
        const kh = Math.floor(h / (nq / nkv));
        const s = Array.from({ length: t + 1 }, (_, j) => { let z = 0; for (let i = 0; i < d; i++) z += q[t]![h * d + i]! * k[j]![kh * d + i]!; return z / Math.sqrt(d); });
        const m = Math.max(...s);
        const e = s.map((z) => Math.exp(z - m));
        const sum = e.reduce((x1, y) => x1 + y, 0);
        for (let j = 0; j <= t; j++) for (let i = 0; i < d; i++) att[h * d + i] = att[h * d + i]! + (e[j]! / sum) * v[j]![kh * d + i]!;
      }
      const h1 = x.map((xv, i) => xv + matvec(p('self_attn.o_proj.weight'), att, H)[i]!);
      const n2 = rmsnorm(h1, p('post_attention_layernorm.weight'), a.rms_norm_eps);
      const g = matvec(p('mlp.gate_proj.weight'), n2, a.intermediate_size);
      const u = matvec(p('mlp.up_proj.weight'), n2, a.intermediate_size);
      const act = g.map((gv, i) => (gv / (1 + Math.exp(-gv))) * u[i]!);
      const down = matvec(p('mlp.down_proj.weight'), act, H);
      return h1.map((hv, i) => hv + down[i]!);
    });
  }
  const last = rmsnorm(xs.at(-1)!, W('model.norm.weight'), a.rms_norm_eps);
  return matvec(W(a.tie_word_embeddings ? 'model.embed_tokens.weight' : 'lm_head.weight'), last, a.vocab_size);
}
