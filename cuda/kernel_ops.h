// KernelOps: the operations the CUDA model runner is built from (memory, copies, and one
// call per kernel). Two implementations: CudaKernelOps (cuda_kernel_ops.cu, GPU kernels on one
// stream) and HostKernelOps (host_kernel_ops.cpp, a CPU mirror that computes every value in the
// kernels' order, lane by lane, so it gives the same bits). CudaModelRunner drives either, so
// its step logic (buffers, block tables, which rows get logits) runs and is tested on a CPU.
// All pointers are in the ops' own memory space (device memory for CudaKernelOps).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

#include "half_convert.h"
#include "model_weights.h"

namespace fleetlab {



// The paged KV of one layer plus the step's per-token addressing.
struct PagedKv {
  void* kSlab;
  void* vSlab;
  ElemType type;
  int blockSize;
  int kvHeads;
  int headDim;
  const int32_t* positions;     // [M] position of token m in its sequence
  const int32_t* tableOffsets;  // [M] where token m's sequence's block table starts in `tables`
  const int32_t* tables;        // every sequence's block table, concatenated
};

class KernelOps {
 public:
  virtual ~KernelOps() = default;
  virtual const char* name() const = 0;
  // Makes this thread's calls go to the ops' device (workers run on varying threads).
  virtual void bind() = 0;
  virtual void* alloc(size_t bytes) = 0;
  virtual void release(void* p) = 0;
  virtual void upload(void* dst, const void* src, size_t bytes) = 0;
  virtual void download(void* dst, const void* src, size_t bytes) = 0;
  // Waits until everything queued has finished; throws on a kernel error.
  virtual void finish() = 0;

  // out[m, :] = table[tokens[m], :] widened to f32.
  virtual void embed(const WeightRef& table, int hidden, const int32_t* tokens, int M, float* out) = 0;
  // out[m, i] = (x[m, i] * rmsScale(row m)) * w[i].
  virtual void rmsNorm(const float* x, const WeightRef& w, int M, int H, float eps, float* out) = 0;
  // Y[m, n] = sum_k W[n, k] X[m, k] in the canonical matmul order (gpu_math.h); W is [N, K].
  virtual void matmul(const WeightRef& w, int N, int K, const float* X, int M, float* Y) = 0;
  // y[m, n] += b[n].
  virtual void addBias(float* y, const WeightRef& b, int M, int N) = 0;
  // Rotates `heads` head vectors of every token; cosSin is [M, headDim/2] cos then [M, headDim/2] sin.
  virtual void rope(float* x, int M, int heads, int headDim, const float* cosSin) = 0;
  // Stores K and V rows ([M, kvHeads * headDim], f32) into each token's slot, in the pool's dtype.
  virtual void writeKv(const PagedKv& kv, const float* k, const float* v, int M) = 0;
  // out[m, h, :] = attention of query head h of token m over positions 0..positions[m].
  virtual void attention(const PagedKv& kv, const float* q, int M, int queryHeads, float scale, float* out) = 0;
  // gate[i] = silu(gate[i]) * up[i].
  virtual void siluMul(float* gate, const float* up, size_t n) = 0;
  // x[i] += y[i].
  virtual void addInPlace(float* x, const float* y, size_t n) = 0;
  // out[r, :] = x[rows[r], :] for r < n.
  virtual void gatherRows(const float* x, int H, const int32_t* rows, int n, float* out) = 0;
};

std::unique_ptr<KernelOps> makeHostKernelOps();
// Throws "built without CUDA" in a host-only build.
std::unique_ptr<KernelOps> makeCudaKernelOps(int device);

}  // namespace fleetlab
