#!/usr/bin/env python3
"""Compares fleetlab's native model runners with HF transformers (or a float64 numpy
reference when PyTorch is absent) on HF model folders, and checks batch invariance.

For each model it writes a sequences file (seeded token ids; several prompt lengths, each
followed by decode tokens fed one at a time), runs `fleetlab-gpu-check` once per backend
(cuda / emu / cpu), and checks:
  - logits vs the reference: max |ours - ref| / max |ref| over every recorded position,
  - argmax agreement with the reference (a miss counts only where the reference's top two
    logits are further apart than the tolerance, i.e. not a near tie),
  - batch invariance: each sequence alone (one-shot prefill, decodes) vs inside a staggered
    batch with chunked prefill and scattered KV blocks, bit for bit,
  - cuda vs emu bit for bit (emu is the CPU mirror of the CUDA kernels' arithmetic),
  - cuda vs cpu within the tolerance.
With HF on a GPU it also prints tokens/s of the CUDA runner beside HF generate (bf16) on a
random Qwen2-0.5B-shaped model (--throughput). Prints one table and exits 1 when any check fails (2 on a setup error).

Without --model it builds two small random models with transformers (Llama with llama3 RoPE
scaling and bf16 weights; Qwen2 with q/k/v biases, tied embeddings, f32 weights and sizes
that are not multiples of the kernels' tiles) and re-initialises their weights at unit scale
so logits are far from uniform and argmax is meaningful.
"""
import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np

# The CPU mirror of the CUDA kernels (backend emu) is scalar: only run it on small models.
EMU_MAX_BYTES = 64e6

# ---------------------------------------------------------------------------------------
# Model folders


def random_hf_models(out_dir, seed):
    """Two random HF folders written by transformers; returns [(name, path)]."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM

    specs = [
        ("llama-bf16-llama3rope", LlamaForCausalLM, LlamaConfig(
            vocab_size=1000, hidden_size=256, intermediate_size=688, num_hidden_layers=2,
            num_attention_heads=8, num_key_value_heads=2, max_position_embeddings=2048,
            rms_norm_eps=1e-5, rope_theta=500000.0, tie_word_embeddings=False,
            rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                          "high_freq_factor": 4.0, "original_max_position_embeddings": 64}),
         torch.bfloat16),
        ("qwen2-f32-bias-tied", Qwen2ForCausalLM, Qwen2Config(
            vocab_size=777, hidden_size=192, intermediate_size=196, num_hidden_layers=3,
            num_attention_heads=6, num_key_value_heads=2, max_position_embeddings=2048,
            rms_norm_eps=1e-6, rope_theta=1000000.0, tie_word_embeddings=True),
         torch.float32),
    ]
    made = []
    for i, (name, cls, cfg, dtype) in enumerate(specs):
        torch.manual_seed(seed + i)
        model = cls(cfg).eval()
        g = torch.Generator().manual_seed(seed + i)
        with torch.no_grad():
            for pname, p in model.named_parameters():
                if pname.endswith("norm.weight"):
                    p.copy_(0.8 + 0.4 * torch.rand(p.shape, generator=g))
                elif pname.endswith(".bias"):
                    p.copy_((2 * torch.rand(p.shape, generator=g) - 1) * 0.5)
                elif "embed_tokens" in pname:
                    p.copy_(2 * torch.rand(p.shape, generator=g) - 1)
                else:
                    a = (3.0 / p.shape[1]) ** 0.5
                    p.copy_((2 * torch.rand(p.shape, generator=g) - 1) * a)
        path = os.path.join(out_dir, name)
        model.to(dtype).save_pretrained(path, safe_serialization=True)
        made.append((name, path))
    return made


def throughput_rows(binary, work, batches, prompt, decode, check):
    """Tokens/s of the CUDA runner beside HF generate (bf16) on a random Qwen2-0.5B-shaped model."""
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    cfg = Qwen2Config(vocab_size=151936, hidden_size=896, intermediate_size=4864, num_hidden_layers=24,
                      num_attention_heads=14, num_key_value_heads=2, max_position_embeddings=4096,
                      rope_theta=1000000.0, rms_norm_eps=1e-6, tie_word_embeddings=True)
    path = os.path.join(work, "qwen2-0.5b-shape-random")
    torch.manual_seed(7)
    with torch.device("cuda"):
        model = Qwen2ForCausalLM(cfg).to(torch.bfloat16).eval()
    model.save_pretrained(path, safe_serialization=True)
    name = "qwen2-0.5b-shape"
    for b in batches:
        cmd = [binary, "--model", path, "--backend", "cuda", "--bench-batch", str(b), "--bench-prompt", str(prompt),
               "--bench-decode", str(decode)]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            check(name, f"fleetlab cuda b={b}", (r.stderr.strip().splitlines() or ["?"])[-1][:160], "", False)
            continue
        info = json.loads(r.stdout.strip().splitlines()[-1])
        check(name, f"fleetlab cuda b={b}: prefill {b}x{prompt}", f"{info['prefill_tokens_per_s']:.0f} tok/s", "", True)
        check(name, f"fleetlab cuda b={b}: decode (median step)", f"{info['decode_tokens_per_s']:.0f} tok/s", "", True)
    g = torch.Generator(device="cpu").manual_seed(9)
    with torch.no_grad():
        for b in batches:
            ids = torch.randint(0, cfg.vocab_size, (b, prompt), generator=g).to("cuda")
            model(ids)  # warm-up
            torch.cuda.synchronize()
            t0 = time.time()
            model(ids)
            torch.cuda.synchronize()
            pre = time.time() - t0
            gen_args = dict(attention_mask=torch.ones_like(ids), do_sample=False, pad_token_id=0)
            model.generate(ids, max_new_tokens=2, min_new_tokens=2, **gen_args)
            torch.cuda.synchronize()
            t0 = time.time()
            model.generate(ids, max_new_tokens=decode, min_new_tokens=decode, **gen_args)
            torch.cuda.synchronize()
            gen = time.time() - t0
            check(name, f"HF bf16 b={b}: prefill {b}x{prompt}", f"{b * prompt / pre:.0f} tok/s", "", True)
            check(name, f"HF bf16 b={b}: generate {decode} (incl. prefill)", f"{b * decode / gen:.0f} tok/s", "", True)


def read_safetensors(path):
    tensors = {}
    files = []
    single = os.path.join(path, "model.safetensors")
    if os.path.exists(single):
        files = [single]
    else:
        with open(os.path.join(path, "model.safetensors.index.json")) as f:
            files = sorted({os.path.join(path, v) for v in json.load(f)["weight_map"].values()})
    for file in files:
        with open(file, "rb") as f:
            n = struct.unpack("<Q", f.read(8))[0]
            header = json.loads(f.read(n))
            data = f.read()
        for name, t in header.items():
            if name == "__metadata__":
                continue
            a, b = t["data_offsets"]
            raw = np.frombuffer(data[a:b], dtype=np.uint8)
            if t["dtype"] == "F32":
                v = raw.view("<f4").astype(np.float64)
            elif t["dtype"] == "BF16":
                v = (raw.view("<u2").astype(np.uint32) << 16).view(np.float32).astype(np.float64)
            elif t["dtype"] == "F16":
                v = raw.view("<f2").astype(np.float64)
            else:
                raise ValueError(f"{file}: tensor {name} has dtype {t['dtype']}")
            tensors[name] = v.reshape(t["shape"])
    return tensors


# ---------------------------------------------------------------------------------------
# References: HF transformers in float32 (GPU when present), or numpy float64


def hf_reference(path, seqs, device):
    import torch
    from transformers import AutoModelForCausalLM

    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    model = AutoModelForCausalLM.from_pretrained(path, torch_dtype=torch.float32, attn_implementation="eager").to(device).eval()
    out = []
    t0 = time.time()
    with torch.no_grad():
        for prompt, toks in seqs:
            ids = torch.tensor([toks], device=device)
            logits = model(ids).logits[0].float().cpu().numpy()
            out.append(logits[prompt - 1:])
    return out, time.time() - t0


def inv_freq(cfg, head_dim):
    rs = cfg.get("rope_parameters") or cfg.get("rope_scaling") or {}  # transformers >= 5: rope_parameters
    theta = rs.get("rope_theta", cfg.get("rope_theta", 10000.0))
    f = 1.0 / theta ** (np.arange(0, head_dim, 2, dtype=np.float64) / head_dim)
    if (rs.get("rope_type") or rs.get("type")) == "llama3":
        factor, lo, hi, orig = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"], rs["original_max_position_embeddings"]
        wl = 2 * np.pi / f
        smooth = (orig / wl - lo) / (hi - lo)
        scaled = np.where(wl > orig / lo, f / factor, f)
        mid = (wl <= orig / lo) & (wl >= orig / hi)
        f = np.where(mid, (1 - smooth) * f / factor + smooth * f, scaled)
    return f


def numpy_reference(path, seqs):
    """A float64 forward of the whole sequence (HF semantics), for machines without torch."""
    with open(os.path.join(path, "config.json")) as f:
        cfg = json.load(f)
    w = read_safetensors(path)
    H, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    nkv = cfg.get("num_key_value_heads", nh)
    D = cfg.get("head_dim") or H // nh
    eps = cfg.get("rms_norm_eps", 1e-6)
    bias = cfg["model_type"] == "qwen2" or cfg.get("attention_bias", False)
    lm = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings", False) else w["lm_head.weight"]
    freq = inv_freq(cfg, D)

    def norm(x, g):
        return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * g

    def rope(x, pos):  # x [T, heads, D]
        ang = pos[:, None] * freq[None, :]
        c, s = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]
        a, b = x[..., : D // 2], x[..., D // 2:]
        return np.concatenate([a * c - b * s, b * c + a * s], -1)

    out = []
    t0 = time.time()
    for prompt, toks in seqs:
        T = len(toks)
        pos = np.arange(T, dtype=np.float64)
        x = w["model.embed_tokens.weight"][toks]
        for l in range(cfg["num_hidden_layers"]):
            p = f"model.layers.{l}."
            h = norm(x, w[p + "input_layernorm.weight"])
            q, k, v = (h @ w[p + f"self_attn.{n}_proj.weight"].T for n in "qkv")
            if bias:
                q, k, v = (a + w[p + f"self_attn.{n}_proj.bias"] for a, n in zip((q, k, v), "qkv"))
            q, k, v = q.reshape(T, nh, D), k.reshape(T, nkv, D), v.reshape(T, nkv, D)
            q, k = rope(q, pos), rope(k, pos)
            rep = nh // nkv
            k, v = np.repeat(k, rep, axis=1), np.repeat(v, rep, axis=1)
            s = np.einsum("thd,shd->hts", q, k) / np.sqrt(D)
            s = s + np.triu(np.full((T, T), -np.inf), 1)[None]
            pr = np.exp(s - s.max(-1, keepdims=True))
            pr /= pr.sum(-1, keepdims=True)
            a = np.einsum("hts,shd->thd", pr, v).reshape(T, nh * D)
            x = x + a @ w[p + "self_attn.o_proj.weight"].T
            h = norm(x, w[p + "post_attention_layernorm.weight"])
            g, u = h @ w[p + "mlp.gate_proj.weight"].T, h @ w[p + "mlp.up_proj.weight"].T
            x = x + (g / (1 + np.exp(-g)) * u) @ w[p + "mlp.down_proj.weight"].T
        logits = norm(x, w["model.norm.weight"]) @ lm.T
        out.append(logits[prompt - 1:])
    return out, time.time() - t0


# ---------------------------------------------------------------------------------------
# Running the native check and comparing


def make_sequences(vocab, seed, prompts, decode):
    rng = np.random.default_rng(seed)
    return [(p, [int(t) for t in rng.integers(0, vocab, p + decode)]) for p in prompts]


def run_native(binary, model, backend, seq_file, prefix, kv_dtype, block_size, chunk):
    cmd = [binary, "--model", model, "--backend", backend, "--sequences", seq_file, "--out", prefix,
           "--kv-dtype", kv_dtype, "--block-size", str(block_size), "--chunk", str(chunk),
           "--threads", str(min(16, os.cpu_count() or 4))]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        lines = (r.stderr.strip() or f"exit status {r.returncode}").splitlines()
        raise RuntimeError(lines[-1].removeprefix("fleetlab-gpu-check: "))
    info = json.loads(r.stdout.strip().splitlines()[-1])
    return info


def split(flat, seqs, vocab):
    out, at = [], 0
    for prompt, toks in seqs:
        n = (len(toks) - prompt + 1) * vocab
        out.append(flat[at:at + n].reshape(-1, vocab))
        at += n
    return out


def rel_err(ours, ref):
    m = max(float(np.abs(r).max()) for r in ref)
    return max(float(np.abs(o.astype(np.float64) - r).max()) for o, r in zip(ours, ref)) / max(m, 1e-30)


def argmax_agreement(ours, ref, tol):
    agree = total = real_miss = 0
    m = max(float(np.abs(r).max()) for r in ref)
    for o, r in zip(ours, ref):
        for orow, rrow in zip(o, r):
            total += 1
            a, b = int(np.argmax(orow)), int(np.argmax(rrow))
            if a == b:
                agree += 1
                continue
            top2 = np.sort(rrow)[-2:]
            if top2[1] - top2[0] > tol * m:
                real_miss += 1
    return agree, total, real_miss


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True, help="the fleetlab-gpu-check executable")
    ap.add_argument("--model", action="append", help="HF folder to check (repeatable); default: build two random ones")
    ap.add_argument("--backends", default="cuda,emu,cpu", help="comma list of cuda, emu, cpu (default: all)")
    ap.add_argument("--reference", choices=["auto", "hf", "numpy"], default="auto", help="hf needs torch + transformers")
    ap.add_argument("--kv-dtype", default="f32", choices=["f32", "bf16", "f16"])
    ap.add_argument("--tolerance", type=float, default=None, help="max relative logit error (default 1e-4 with f32 KV, 2e-2 otherwise)")
    ap.add_argument("--prompts", default="5,17,33,64,9,70", help="prompt lengths of the sequences")
    ap.add_argument("--decode", type=int, default=4, help="decode steps per sequence")
    ap.add_argument("--chunk", type=int, default=7, help="prefill chunk size in the batched run")
    ap.add_argument("--block-size", type=int, default=16)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--work", default=None, help="folder for models and logits (default: a temp folder)")
    ap.add_argument("--throughput", choices=["auto", "on", "off"], default="auto",
                    help="tokens/s of the CUDA runner beside HF generate on a random Qwen2-0.5B-shaped model (auto: when HF runs on a GPU)")
    args = ap.parse_args()

    backends = [b for b in args.backends.split(",") if b]
    tol = args.tolerance if args.tolerance is not None else (1e-4 if args.kv_dtype == "f32" else 2e-2)
    reference = args.reference
    if reference == "auto":
        try:
            import torch  # noqa: F401
            import transformers  # noqa: F401
            reference = "hf"
        except ImportError:
            reference = "numpy"
    work = args.work or tempfile.mkdtemp(prefix="fleetlab-gpu-check-")
    os.makedirs(work, exist_ok=True)
    device = "cpu"
    if reference == "hf":
        import torch
        device = "cuda" if torch.cuda.is_available() else "cpu"
    models = [(os.path.basename(os.path.normpath(m)), m) for m in args.model] if args.model else random_hf_models(work, args.seed)

    rows = []  # (model, what, value, limit, ok)

    def check(model, what, value, limit, ok):
        rows.append((model, what, value, limit, ok))

    for name, path in models:
        with open(os.path.join(path, "config.json")) as f:
            vocab = json.load(f)["vocab_size"]
        seqs = make_sequences(vocab, args.seed, [int(p) for p in args.prompts.split(",")], args.decode)
        seq_file = os.path.join(work, f"{name}.sequences.txt")
        with open(seq_file, "w") as f:
            for prompt, toks in seqs:
                f.write(f"{prompt} {' '.join(map(str, toks))}\n")
        ref, ref_s = hf_reference(path, seqs, device) if reference == "hf" else numpy_reference(path, seqs)
        check(name, f"reference: {reference} on {device}", f"{ref_s:.2f} s", "", True)
        got = {}
        weight_bytes = sum(os.path.getsize(os.path.join(path, f)) for f in os.listdir(path) if f.endswith(".safetensors"))
        for b in backends:
            if b == "emu" and weight_bytes > EMU_MAX_BYTES:
                # The mirror is scalar and single-threaded: minutes per token on a real model.
                check(name, "emu: skipped", f"{weight_bytes / 1e6:.0f} MB of weights > {EMU_MAX_BYTES / 1e6:.0f} MB", "", True)
                continue
            prefix = os.path.join(work, f"{name}.{b}")
            try:
                info = run_native(args.bin, path, b, seq_file, prefix, args.kv_dtype, args.block_size, args.chunk)
            except RuntimeError as e:
                check(name, f"{b}: run", str(e)[:160], "", False)
                continue
            alone = split(np.fromfile(prefix + ".alone.f32", dtype=np.float32), seqs, vocab)
            batch = split(np.fromfile(prefix + ".batch.f32", dtype=np.float32), seqs, vocab)
            got[b] = alone
            check(name, f"{b}: ran ({info['kernel']})", f"alone {info['alone_s']:.3f} s / batch {info['batch_s']:.3f} s (max batch {info['max_batch']})", "", True)
            e = rel_err(alone, ref)
            check(name, f"{b}: rel. error vs {reference}", f"{e:.2e}", f"<= {tol:.0e}", e <= tol)
            agree, total, miss = argmax_agreement(alone, ref, tol)
            check(name, f"{b}: argmax = {reference}", f"{agree}/{total}", "no miss outside near-ties", miss == 0)
            same = all(np.array_equal(a.view(np.uint32), c.view(np.uint32)) for a, c in zip(alone, batch))
            diff = max(float(np.abs(a - c).max()) for a, c in zip(alone, batch))
            check(name, f"{b}: alone == batch (bits)", "identical" if same else f"max diff {diff:.2e}", "identical", same)
        if "cuda" in got and "emu" in got:
            same = all(np.array_equal(a.view(np.uint32), c.view(np.uint32)) for a, c in zip(got["cuda"], got["emu"]))
            diff = max(float(np.abs(a - c).max()) for a, c in zip(got["cuda"], got["emu"]))
            check(name, "cuda == emu (bits)", "identical" if same else f"max diff {diff:.2e}", "identical", same)
        if "cuda" in got and "cpu" in got:
            e = rel_err(got["cuda"], [c.astype(np.float64) for c in got["cpu"]])
            check(name, "cuda vs cpu rel. error", f"{e:.2e}", f"<= {tol:.0e}", e <= tol)

    if "cuda" in backends and (args.throughput == "on" or (args.throughput == "auto" and reference == "hf" and device == "cuda")):
        try:
            throughput_rows(args.bin, work, [1, 16], 128, 32, check)
        except Exception as e:  # a throughput failure is reported, the correctness rows still print
            check("qwen2-0.5b-shape", "throughput", f"{type(e).__name__}: {e}"[:160], "", False)

    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    w2 = max(len(r[2]) for r in rows)
    print(f"{'model':<{w0}}  {'check':<{w1}}  {'value':<{w2}}  {'limit':<26}  result")
    for m, what, value, limit, ok in rows:
        print(f"{m:<{w0}}  {what:<{w1}}  {value:<{w2}}  {limit:<26}  {'ok' if ok else 'FAIL'}")
    failed = [r for r in rows if not r[4]]
    print(f"\n{len(rows) - len(failed)} ok, {len(failed)} failed (work folder: {work})")
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # setup errors: print one line, exit 2
        print(f"gpu-check: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(2)
