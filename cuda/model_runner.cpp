#include "model_runner.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "cpu_features.h"

namespace fleetlab {

ModelRunner::ModelRunner(const ModelConfig& config, ModelWeights weights, std::shared_ptr<KvPool> kv,
                         ElemType kvType, int blockSize, int threads, SimdLevel simd)
    : c_(config),
      w_(std::move(weights)),
      kv_(std::move(kv)),
      geo_{blockSize, config.kvHeads, config.headDim, kvType},
      kernels_(CpuFeatures::kernels(simd)),
      rope_(config.rope),
      attn_(geo_, config.queryHeads, kernels_),
      pool_(threads),
      scratch_(static_cast<size_t>(threads)) {
  if (kv_->device() >= 0) throw std::runtime_error("the CPU model runner needs a host KV pool, got one on GPU " + std::to_string(kv_->device()));
  if (kv_->layers() != c_.layers) {
    throw std::runtime_error("KV pool has " + std::to_string(kv_->layers()) + " layers, the model " + std::to_string(c_.layers));
  }
  const uint64_t want = static_cast<uint64_t>(blockSize) * c_.kvHeads * c_.headDim * elemBytes(kvType);
  if (kv_->blockBytes() != want) {
    throw std::runtime_error("KV pool blocks hold " + std::to_string(kv_->blockBytes()) + " bytes, expected " +
                             std::to_string(want) + " (block_size x kv_heads x head_dim x dtype bytes)");
  }
  if (c_.queryHeads % c_.kvHeads != 0) throw std::runtime_error("num_attention_heads must be a multiple of num_key_value_heads");
  if (static_cast<int>(w_.layers.size()) != c_.layers) throw std::runtime_error("weights for a different layer count");
}

void ModelRunner::validate(const ForwardBatch& b) const { validateBatch(b, c_.vocab, geo_.blockSize, kv_->blocks()); }

void ModelRunner::matmul(const WeightRef& w, int N, int K, const float* X, int M, float* Y) {
  // Row blocks only decide which thread computes which rows; each element's arithmetic is fixed.
  const int target = std::max(1, N / (pool_.threads() * 8));
  // Multiples of 4 keep the kernels' 4-row register tiles full.
  const int rowsPerItem = (std::min(256, std::max(4, target)) + 3) & ~3;
  const int items = (N + rowsPerItem - 1) / rowsPerItem;
  const DotKernels k = kernels_;
  pool_.parallelFor(items, [&](int item, int) {
    const int begin = item * rowsPerItem;
    const int end = std::min(N, begin + rowsPerItem);
    k.matmulRows(w.data, w.type, K, begin, end, X, K, M, Y, N);
  });
}

void ModelRunner::rmsNorm(const float* x, const WeightRef& w, int M, float* out) const {
  const int H = c_.hidden;
  for (int m = 0; m < M; ++m) {
    const float* xr = x + static_cast<size_t>(m) * H;
    float* o = out + static_cast<size_t>(m) * H;
    const float meanSq = kernels_.dot(xr, xr, H) / static_cast<float>(H);
    const float inv = 1.0f / std::sqrt(meanSq + c_.rmsEps);
    for (int i = 0; i < H; ++i) o[i] = (xr[i] * inv) * loadElem(w.data, w.type, static_cast<size_t>(i));
  }
}

void ModelRunner::addBias(float* y, const WeightRef& b, int M, int N) const {
  if (!b.data) return;
  for (int m = 0; m < M; ++m)
    for (int n = 0; n < N; ++n) y[static_cast<size_t>(m) * N + n] += loadElem(b.data, b.type, static_cast<size_t>(n));
}

void ModelRunner::attention(int layer, const ForwardBatch& b, const std::vector<int>& seqOf,
                            const std::vector<int>& pos, const float* q, float* out) {
  const int Hq = c_.queryHeads, D = c_.headDim;
  const uint8_t* kSlab = kv_->slabData(layer, 0);
  const uint8_t* vSlab = kv_->slabData(layer, 1);
  pool_.parallelFor(b.numTokens * Hq, [&](int item, int thread) {
    const int m = item / Hq, h = item % Hq;
    const size_t at = static_cast<size_t>(m) * Hq * D + static_cast<size_t>(h) * D;
    attn_.attend(kSlab, vSlab, b.seqs[static_cast<size_t>(seqOf[static_cast<size_t>(m)])].slice,
                 pos[static_cast<size_t>(m)], h, q + at, out + at, scratch_[static_cast<size_t>(thread)]);
  });
}

void ModelRunner::forward(const ForwardBatch& b) {
  validate(b);
  const int M = b.numTokens, H = c_.hidden, I = c_.intermediate, D = c_.headDim;
  const int qDim = c_.queryHeads * D, kvDim = c_.kvHeads * D;
  std::vector<int> seqOf(static_cast<size_t>(M)), pos(static_cast<size_t>(M));
  for (size_t s = 0; s < b.seqs.size(); ++s) {
    const SeqSlice& q = b.seqs[s].slice;
    for (int t = 0; t < q.numTokens; ++t) {
      seqOf[static_cast<size_t>(q.tokenOffset + t)] = static_cast<int>(s);
      pos[static_cast<size_t>(q.tokenOffset + t)] = q.startPos + t;
    }
  }
  const size_t Ms = static_cast<size_t>(M);
  const size_t half = static_cast<size_t>(rope_.half());
  // Step buffers persist across steps (grow-only): fresh allocations every step cost page
  // faults and zero-fills comparable to a whole decode step.
  float* x = buf_.x.take(Ms * H);
  float* xn = buf_.xn.take(Ms * H);
  float* qb = buf_.q.take(Ms * qDim);
  float* kb = buf_.k.take(Ms * kvDim);
  float* vb = buf_.v.take(Ms * kvDim);
  float* att = buf_.att.take(Ms * qDim);
  float* proj = buf_.proj.take(Ms * H);
  float* gate = buf_.gate.take(Ms * I);
  float* up = buf_.up.take(Ms * I);
  float* cosv = buf_.cos.take(Ms * half);
  float* sinv = buf_.sin.take(Ms * half);
  for (int m = 0; m < M; ++m) {
    rope_.angles(pos[static_cast<size_t>(m)], cosv + static_cast<size_t>(m) * half, sinv + static_cast<size_t>(m) * half);
    const size_t row = static_cast<size_t>(b.tokens[m]) * H;
    for (int i = 0; i < H; ++i) x[static_cast<size_t>(m) * H + i] = loadElem(w_.embed.data, w_.embed.type, row + i);
  }

  for (int l = 0; l < c_.layers; ++l) {
    const LayerWeights& L = w_.layers[static_cast<size_t>(l)];
    rmsNorm(x, L.inputNorm, M, xn);
    matmul(L.q, qDim, H, xn, M, qb);
    matmul(L.k, kvDim, H, xn, M, kb);
    matmul(L.v, kvDim, H, xn, M, vb);
    addBias(qb, L.qBias, M, qDim);
    addBias(kb, L.kBias, M, kvDim);
    addBias(vb, L.vBias, M, kvDim);
    for (int m = 0; m < M; ++m) {
      const float* cs = cosv + static_cast<size_t>(m) * half;
      const float* sn = sinv + static_cast<size_t>(m) * half;
      Rope::apply(&qb[static_cast<size_t>(m) * qDim], c_.queryHeads, D, cs, sn);
      Rope::apply(&kb[static_cast<size_t>(m) * kvDim], c_.kvHeads, D, cs, sn);
    }
    // All new K/V are written before any attention reads, so a prefill chunk sees itself.
    for (const ForwardSeq& s : b.seqs) {
      const size_t at = static_cast<size_t>(s.slice.tokenOffset) * kvDim;
      attn_.write(kv_->slabData(l, 0), kv_->slabData(l, 1), s.slice, &kb[at], &vb[at], kvDim);
    }
    attention(l, b, seqOf, pos, qb, att);
    matmul(L.o, H, qDim, att, M, proj);
    for (size_t i = 0; i < Ms * H; ++i) x[i] += proj[i];

    rmsNorm(x, L.postNorm, M, xn);
    matmul(L.gate, I, H, xn, M, gate);
    matmul(L.up, I, H, xn, M, up);
    for (size_t i = 0; i < Ms * I; ++i) {
      const float g = gate[i];
      gate[i] = (g / (1.0f + std::exp(-g))) * up[i];
    }
    matmul(L.down, H, I, gate, M, proj);
    for (size_t i = 0; i < Ms * H; ++i) x[i] += proj[i];
  }

  // Final norm and LM head only for the last token of each sequence that asks for logits.
  int nOut = 0;
  for (const ForwardSeq& s : b.seqs) {
    if (!s.wantLogits) continue;
    const size_t m = static_cast<size_t>(s.slice.tokenOffset + s.slice.numTokens - 1);
    std::copy(x + m * H, x + (m + 1) * H, proj + static_cast<size_t>(nOut) * H);  // proj is free now
    ++nOut;
  }
  if (nOut == 0) return;
  rmsNorm(proj, w_.finalNorm, nOut, xn);
  matmul(w_.lmHead, c_.vocab, H, xn, nOut, b.logits);
}

}  // namespace fleetlab
