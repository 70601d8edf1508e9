// ModelRunner: the CPU forward pass of a Llama / Qwen2 decoder over a paged KvPool.
// forward() runs one mixed batch (prefill chunks and decodes together): it embeds the new
// tokens, writes their K/V into the sequences' blocks, attends over the block tables and
// returns f32 logits for the last token of every sequence that asks for them.
//
// Batch invariance: every matmul output element is one canonical dot product (dot_kernels.h),
// attention is per (token, head) in position order, norms and RoPE are per token. No value of
// one sequence is ever reduced together with another's, so a sequence's logits are the same
// bits whatever else shares its batch, however many threads run, and whichever SIMD variant.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dot_kernels.h"
#include "forward_batch.h"
#include "kv_pool.h"
#include "model_weights.h"
#include "paged_attention.h"
#include "rope.h"
#include "thread_pool.h"

namespace fleetlab {

class ModelRunner : public Runner {
 public:
  ModelRunner(const ModelConfig& config, ModelWeights weights, std::shared_ptr<KvPool> kv, ElemType kvType,
              int blockSize, int threads, SimdLevel simd);

  // Throws std::runtime_error naming the field when the batch does not fit the model or pool.
  void validate(const ForwardBatch& b) const override;
  void forward(const ForwardBatch& b) override;
  const char* kernelName() const override { return kernels_.name; }
  int threads() const override { return pool_.threads(); }

 private:
  // Y[M, N] = X[M, K] · W[N, K]^T, parallel over blocks of output rows.
  void matmul(const WeightRef& w, int N, int K, const float* X, int M, float* Y);
  void rmsNorm(const float* x, const WeightRef& w, int M, float* out) const;
  void addBias(float* y, const WeightRef& b, int M, int N) const;
  void attention(int layer, const ForwardBatch& b, const std::vector<int>& seqOf, const std::vector<int>& pos,
                 const float* q, float* out);

  ModelConfig c_;
  ModelWeights w_;
  std::shared_ptr<KvPool> kv_;
  KvGeometry geo_;
  DotKernels kernels_;
  Rope rope_;
  PagedAttention attn_;
  ThreadPool pool_;
  std::vector<std::vector<float>> scratch_;  // one per pool thread

  // A grow-only f32 buffer; take(n) never shrinks it or re-zeroes what it already holds.
  struct Grow {
    std::vector<float> v;
    float* take(size_t n) {
      if (v.size() < n) v.resize(n);
      return v.data();
    }
  };
  struct StepBuffers {
    Grow x, xn, q, k, v, att, proj, gate, up, cos, sin;
  } buf_;
};

}  // namespace fleetlab
