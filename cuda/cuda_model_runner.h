// CudaModelRunner: the forward pass of a Llama / Qwen2 decoder over a paged KV pool, built from
// KernelOps calls. With CudaKernelOps it runs on the GPU over a device KV pool ("cuda"); with
// HostKernelOps it runs the same step logic and the kernels' exact arithmetic on the CPU over a
// host pool ("cuda-emulation"), which is how the CUDA path is tested without a GPU.
//
// The weights are copied once into one allocation of the ops' memory (256-byte aligned
// tensors, kept in their dtype). A step uploads the token ids, positions, block tables and
// RoPE angles (StepPlan), runs the layers, and downloads only the logits rows asked for.
//
// Batch invariance: every kernel computes each value of one token from that token's own row
// (and its own sequence's KV) in an order fixed by the model shape alone (gpu_math.h), so a
// sequence's logits are the same bits in any batch, and with any prefill chunking.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "forward_batch.h"
#include "kernel_ops.h"
#include "kv_pool.h"
#include "model_weights.h"
#include "rope.h"

namespace fleetlab {

class CudaModelRunner : public Runner {
 public:
  // Throws when the pool does not fit the model, the head dimension exceeds the kernels' limit,
  // or the pool's memory space does not match the ops (device pool for "cuda", host otherwise).
  CudaModelRunner(const ModelConfig& config, const ModelWeights& hostWeights, std::shared_ptr<KvPool> kv,
                  ElemType kvType, int blockSize, std::unique_ptr<KernelOps> ops);
  ~CudaModelRunner() override;
  CudaModelRunner(const CudaModelRunner&) = delete;
  CudaModelRunner& operator=(const CudaModelRunner&) = delete;

  void validate(const ForwardBatch& b) const override;
  void forward(const ForwardBatch& b) override;
  const char* kernelName() const override { return ops_->name(); }
  int threads() const override { return 1; }

 private:
  // A grow-only buffer in the ops' memory.
  struct Buffer {
    void* p = nullptr;
    size_t bytes = 0;
  };
  void* take(Buffer& b, size_t bytes);
  void uploadWeights(const ModelWeights& host);

  ModelConfig c_;
  std::shared_ptr<KvPool> kv_;
  ElemType kvType_;
  int blockSize_;
  std::unique_ptr<KernelOps> ops_;
  Rope rope_;
  void* weightMemory_ = nullptr;
  ModelWeights w_;  // views into weightMemory_
  struct StepBuffers {
    Buffer ints, cosSin, x, xn, q, k, v, att, proj, gate, up, last, logits;
  } buf_;
};

// The runner over a device KV pool; throws "built without CUDA" in a host-only build.
std::shared_ptr<Runner> makeCudaModelRunner(const ModelConfig& config, const ModelWeights& hostWeights,
                                            std::shared_ptr<KvPool> kv, ElemType kvType, int blockSize);
// The same runner on the CPU mirror of the kernels, over a host KV pool.
std::shared_ptr<Runner> makeEmulatedCudaModelRunner(const ModelConfig& config, const ModelWeights& hostWeights,
                                                    std::shared_ptr<KvPool> kv, ElemType kvType, int blockSize);

}  // namespace fleetlab
