// CudaKernelOps: the GPU kernels of the CUDA model runner, one stream per runner. Each kernel
// computes its values in the canonical orders of gpu_math.h (this file is built with
// -fmad=false, so the compiler adds no fused multiply-add of its own); HostKernelOps mirrors
// them lane for lane on the CPU. CUDA cores and f32 accumulation only: no tensor cores (their
// internal summation order is not specified), no split-K, no atomics, so every output element
// is reduced in one fixed order whatever the batch.
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>
#include <type_traits>

#include "device_runtime.h"
#include "gpu_math.h"
#include "kernel_ops.h"

namespace fleetlab {

namespace {

using gpu::kChunk;
using gpu::kLanes;
constexpr unsigned kFull = 0xffffffffu;
constexpr int kWarps = 4;  // warps per block in the warp-per-item kernels
constexpr int kRows = 4;   // matmul: weight rows per warp
constexpr int kToks = 4;   // matmul: tokens per warp (register tile kRows x kToks per lane)

template <int T>
__device__ __forceinline__ float load(const void* p, size_t i) {
  return loadElem(p, static_cast<ElemType>(T), i);
}

// Eight consecutive elements starting at element i (16-byte aligned), widened to f32.
template <int T>
__device__ __forceinline__ void load8(const void* p, size_t i, float* out) {
  if (T == 0) {
    const float4* v = reinterpret_cast<const float4*>(static_cast<const float*>(p) + i);
    const float4 a = v[0], b = v[1];
    out[0] = a.x; out[1] = a.y; out[2] = a.z; out[3] = a.w;
    out[4] = b.x; out[5] = b.y; out[6] = b.z; out[7] = b.w;
  } else {
    const uint4 u = *reinterpret_cast<const uint4*>(static_cast<const uint16_t*>(p) + i);
    const uint32_t words[4] = {u.x, u.y, u.z, u.w};
    for (int e = 0; e < 4; ++e) {  // little-endian: the low half is the earlier element
      const uint16_t lo = static_cast<uint16_t>(words[e] & 0xffffu), hi = static_cast<uint16_t>(words[e] >> 16);
      out[2 * e] = T == 1 ? bf16ToF32(lo) : f16ToF32(lo);
      out[2 * e + 1] = T == 1 ? bf16ToF32(hi) : f16ToF32(hi);
    }
  }
}

__device__ __forceinline__ float warpSum(float v) {
  for (int s = kLanes / 2; s >= 1; s /= 2) v += __shfl_xor_sync(kFull, v, s);
  return v;
}

__device__ __forceinline__ float warpMax(float v) {
  for (int s = kLanes / 2; s >= 1; s /= 2) v = fmaxf(v, __shfl_xor_sync(kFull, v, s));
  return v;
}

// Y[m, n] = W[n, :] . X[m, :]. A warp owns kRows weight rows x kToks tokens; lane l reads the
// chunks c = l, l + 32, ... of kChunk consecutive k (coalesced 16-byte loads when VEC) and keeps
// one fmaf chain per (row, token); warpSum then reduces the 32 chains. Rows / tokens past the
// end are clamped for loading and never written. The order of one element's arithmetic depends
// only on K: not on M, the tile, or the grid.
template <int WT, bool VEC>
__global__ void __launch_bounds__(kWarps * kLanes) matmulKernel(const void* __restrict__ W, int N, int K,
                                                                const float* __restrict__ X, int M, float* __restrict__ Y) {
  const int lane = threadIdx.x & (kLanes - 1);
  const int row0 = (blockIdx.x * kWarps + (threadIdx.x >> 5)) * kRows;
  const int tok0 = blockIdx.y * kToks;
  if (row0 >= N) return;  // uniform per warp
  float acc[kRows][kToks];
  for (int r = 0; r < kRows; ++r)
    for (int t = 0; t < kToks; ++t) acc[r][t] = 0.0f;
  const int chunks = (K + kChunk - 1) / kChunk;
  for (int c = lane; c < chunks; c += kLanes) {
    const int k0 = c * kChunk;
    float w[kRows][kChunk], x[kToks][kChunk];
    for (int r = 0; r < kRows; ++r) {
      const size_t base = static_cast<size_t>(min(row0 + r, N - 1)) * K + k0;
      if (VEC) {
        load8<WT>(W, base, w[r]);
      } else {
        for (int e = 0; e < kChunk; ++e) w[r][e] = k0 + e < K ? load<WT>(W, base + e) : 0.0f;
      }
    }
    for (int t = 0; t < kToks; ++t) {
      const size_t base = static_cast<size_t>(min(tok0 + t, M - 1)) * K + k0;
      if (VEC) {
        load8<0>(X, base, x[t]);
      } else {
        for (int e = 0; e < kChunk; ++e) x[t][e] = k0 + e < K ? X[base + e] : 0.0f;
      }
    }
    for (int e = 0; e < kChunk; ++e) {
      if (!VEC && k0 + e >= K) break;
      for (int r = 0; r < kRows; ++r)
        for (int t = 0; t < kToks; ++t) acc[r][t] = gpu::fmaCanon(w[r][e], x[t][e], acc[r][t]);
    }
  }
  for (int r = 0; r < kRows; ++r)
    for (int t = 0; t < kToks; ++t) {
      const float v = warpSum(acc[r][t]);
      if (lane == 0 && row0 + r < N && tok0 + t < M) Y[static_cast<size_t>(tok0 + t) * N + row0 + r] = v;
    }
}

template <int WT>
__global__ void embedKernel(const void* __restrict__ table, int H, const int32_t* __restrict__ tokens, int M, float* __restrict__ out) {
  const size_t total = static_cast<size_t>(M) * H;
  for (size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; i < total; i += static_cast<size_t>(gridDim.x) * blockDim.x) {
    const size_t m = i / H, col = i % H;
    out[i] = load<WT>(table, static_cast<size_t>(tokens[m]) * H + col);
  }
}

// One warp per row: lane l sums x[i]^2 for i = l, l + 32, ... then the butterfly tree.
template <int WT>
__global__ void __launch_bounds__(kWarps * kLanes) rmsNormKernel(const float* __restrict__ x, const void* __restrict__ w, int M, int H,
                                                                 float eps, float* __restrict__ out) {
  const int lane = threadIdx.x & (kLanes - 1);
  const int m = blockIdx.x * kWarps + (threadIdx.x >> 5);
  if (m >= M) return;
  const float* xr = x + static_cast<size_t>(m) * H;
  float p = 0.0f;
  for (int i = lane; i < H; i += kLanes) p = gpu::fmaCanon(xr[i], xr[i], p);
  const float inv = gpu::rmsScale(warpSum(p), H, eps);
  for (int i = lane; i < H; i += kLanes) out[static_cast<size_t>(m) * H + i] = (xr[i] * inv) * load<WT>(w, static_cast<size_t>(i));
}

template <int WT>
__global__ void addBiasKernel(float* __restrict__ y, const void* __restrict__ b, int M, int N) {
  const size_t total = static_cast<size_t>(M) * N;
  for (size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; i < total; i += static_cast<size_t>(gridDim.x) * blockDim.x) {
    y[i] += load<WT>(b, i % N);
  }
}

__global__ void ropeKernel(float* __restrict__ x, int M, int heads, int headDim, const float* __restrict__ cosSin) {
  const int half = headDim / 2;
  const size_t total = static_cast<size_t>(M) * heads * half;
  const float* sinAll = cosSin + static_cast<size_t>(M) * half;
  for (size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; i < total; i += static_cast<size_t>(gridDim.x) * blockDim.x) {
    const size_t m = i / (static_cast<size_t>(heads) * half);
    const size_t h = (i / half) % heads;
    const size_t p = i % half;
    float* v = x + (m * heads + h) * headDim;
    gpu::ropePair(v[p], v[p + half], cosSin[m * half + p], sinAll[m * half + p]);
  }
}

template <int KT>
__global__ void writeKvKernel(PagedKv kv, const float* __restrict__ k, const float* __restrict__ v, int M) {
  const int D = kv.headDim, ld = kv.kvHeads * D;
  const size_t total = static_cast<size_t>(M) * ld;
  for (size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; i < total; i += static_cast<size_t>(gridDim.x) * blockDim.x) {
    const int m = static_cast<int>(i / ld);
    const int h = static_cast<int>((i % ld) / D), d = static_cast<int>(i % D);
    const int64_t slot = gpu::kvSlot(kv.tables + kv.tableOffsets[m], kv.positions[m], kv.blockSize);
    const size_t at = static_cast<size_t>(gpu::kvRow(slot, kv.kvHeads, h, D) + d);
    storeElem(kv.kSlab, static_cast<ElemType>(KT), at, k[i]);
    storeElem(kv.vSlab, static_cast<ElemType>(KT), at, v[i]);
  }
}

// One warp per (token, query head): online softmax over positions 0..pos in chunks of 32 (lane
// l scores position c0 + l with a serial fmaf dot over head_dim), then the weighted V sum with
// lane l owning dimensions l, l + 32, ... in increasing position order.
template <int KT>
__global__ void __launch_bounds__(kWarps * kLanes) attentionKernel(PagedKv kv, const float* __restrict__ q, int M, int Hq, float scale,
                                                                   float* __restrict__ out) {
  constexpr int kPer = gpu::kMaxHeadDim / kLanes;
  __shared__ float qs[kWarps][gpu::kMaxHeadDim];
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & (kLanes - 1);
  const int item = blockIdx.x * kWarps + warp;
  if (item >= M * Hq) return;  // uniform per warp
  const int m = item / Hq, h = item % Hq;
  const int D = kv.headDim;
  const int kvHead = gpu::kvHeadOf(h, Hq, kv.kvHeads);
  const float* qv = q + static_cast<size_t>(item) * D;
  for (int d = lane; d < D; d += kLanes) qs[warp][d] = qv[d];
  __syncwarp();
  const int n = kv.positions[m] + 1;
  const int32_t* table = kv.tables + kv.tableOffsets[m];
  float acc[kPer];
  for (int i = 0; i < kPer; ++i) acc[i] = 0.0f;
  float runMax = -INFINITY, runSum = 0.0f;
  for (int c0 = 0; c0 < n; c0 += kLanes) {
    const int j = c0 + lane;
    float s = -INFINITY;
    if (j < n) {
      const int64_t row = gpu::kvRow(gpu::kvSlot(table, j, kv.blockSize), kv.kvHeads, kvHead, D);
      float dot = 0.0f;
      for (int d = 0; d < D; ++d) dot = gpu::fmaCanon(qs[warp][d], load<KT>(kv.kSlab, static_cast<size_t>(row + d)), dot);
      s = dot * scale;
    }
    const float newMax = fmaxf(runMax, warpMax(s));
    const float p = j < n ? gpu::expCanon(s - newMax) : 0.0f;
    const float alpha = gpu::expCanon(runMax - newMax);
    runSum = runSum * alpha + warpSum(p);
    for (int i = 0; i < kPer; ++i) acc[i] *= alpha;
    const int count = min(kLanes, n - c0);
    for (int jj = 0; jj < count; ++jj) {
      const float pj = __shfl_sync(kFull, p, jj);
      const int64_t row = gpu::kvRow(gpu::kvSlot(table, c0 + jj, kv.blockSize), kv.kvHeads, kvHead, D);
      for (int i = 0; i < kPer; ++i) {
        const int d = lane + i * kLanes;
        if (d < D) acc[i] = gpu::fmaCanon(pj, load<KT>(kv.vSlab, static_cast<size_t>(row + d)), acc[i]);
      }
    }
    runMax = newMax;
  }
  float* o = out + static_cast<size_t>(item) * D;
  for (int i = 0; i < kPer; ++i) {
    const int d = lane + i * kLanes;
    if (d < D) o[d] = acc[i] / runSum;
  }
}

__global__ void siluMulKernel(float* __restrict__ gate, const float* __restrict__ up, size_t n) {
  for (size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; i < n; i += static_cast<size_t>(gridDim.x) * blockDim.x) {
    gate[i] = gpu::siluMul(gate[i], up[i]);
  }
}

__global__ void addKernel(float* __restrict__ x, const float* __restrict__ y, size_t n) {
  for (size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; i < n; i += static_cast<size_t>(gridDim.x) * blockDim.x) {
    x[i] += y[i];
  }
}

__global__ void gatherRowsKernel(const float* __restrict__ x, int H, const int32_t* __restrict__ rows, int n, float* __restrict__ out) {
  const size_t total = static_cast<size_t>(n) * H;
  for (size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; i < total; i += static_cast<size_t>(gridDim.x) * blockDim.x) {
    out[i] = x[static_cast<size_t>(rows[i / H]) * H + i % H];
  }
}

// Grid for a grid-stride elementwise kernel of 256 threads.
unsigned gridFor(size_t total) {
  const size_t blocks = (total + 255) / 256;
  return static_cast<unsigned>(blocks < 1 ? 1 : (blocks > 65535 ? 65535 : blocks));
}

bool aligned16(const void* p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; }

class CudaKernelOps : public KernelOps {
 public:
  explicit CudaKernelOps(int device) : device_(device) {
    DeviceRuntime::requireDevice(device);
    bind();
    DeviceRuntime::check(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreate");
  }
  ~CudaKernelOps() override {
    cudaSetDevice(device_);
    cudaStreamSynchronize(stream_);
    cudaStreamDestroy(stream_);
  }
  const char* name() const override { return "cuda"; }
  void bind() override { DeviceRuntime::check(cudaSetDevice(device_), "cudaSetDevice"); }
  void* alloc(size_t bytes) override { return DeviceRuntime::deviceAlloc(device_, bytes < 1 ? 1 : bytes); }
  void release(void* p) override { DeviceRuntime::deviceFree(device_, p); }
  void upload(void* dst, const void* src, size_t bytes) override {
    DeviceRuntime::check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, stream_), "upload");
  }
  void download(void* dst, const void* src, size_t bytes) override {
    DeviceRuntime::check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, stream_), "download");
  }
  void finish() override { DeviceRuntime::check(cudaStreamSynchronize(stream_), "model step"); }

  void embed(const WeightRef& table, int hidden, const int32_t* tokens, int M, float* out) override {
    const size_t total = static_cast<size_t>(M) * hidden;
    dispatch(table.type, [&](auto t) { embedKernel<decltype(t)::value><<<gridFor(total), 256, 0, stream_>>>(table.data, hidden, tokens, M, out); });
    launched("embed");
  }

  void rmsNorm(const float* x, const WeightRef& w, int M, int H, float eps, float* out) override {
    const unsigned blocks = static_cast<unsigned>((M + kWarps - 1) / kWarps);
    dispatch(w.type, [&](auto t) { rmsNormKernel<decltype(t)::value><<<blocks, kWarps * kLanes, 0, stream_>>>(x, w.data, M, H, eps, out); });
    launched("rmsNorm");
  }

  void matmul(const WeightRef& w, int N, int K, const float* X, int M, float* Y) override {
    const dim3 grid(static_cast<unsigned>((N + kRows * kWarps - 1) / (kRows * kWarps)), static_cast<unsigned>((M + kToks - 1) / kToks));
    if (grid.y > 65535) throw std::runtime_error("matmul over " + std::to_string(M) + " tokens exceeds the kernel's grid limit");
    // The vector path only changes how values are loaded, never the order they are summed in.
    const bool vec = K % kChunk == 0 && aligned16(w.data) && aligned16(X);
    dispatch(w.type, [&](auto t) {
      constexpr int T = decltype(t)::value;
      if (vec) {
        matmulKernel<T, true><<<grid, kWarps * kLanes, 0, stream_>>>(w.data, N, K, X, M, Y);
      } else {
        matmulKernel<T, false><<<grid, kWarps * kLanes, 0, stream_>>>(w.data, N, K, X, M, Y);
      }
    });
    launched("matmul");
  }

  void addBias(float* y, const WeightRef& b, int M, int N) override {
    const size_t total = static_cast<size_t>(M) * N;
    dispatch(b.type, [&](auto t) { addBiasKernel<decltype(t)::value><<<gridFor(total), 256, 0, stream_>>>(y, b.data, M, N); });
    launched("addBias");
  }

  void rope(float* x, int M, int heads, int headDim, const float* cosSin) override {
    ropeKernel<<<gridFor(static_cast<size_t>(M) * heads * (headDim / 2)), 256, 0, stream_>>>(x, M, heads, headDim, cosSin);
    launched("rope");
  }

  void writeKv(const PagedKv& kv, const float* k, const float* v, int M) override {
    const size_t total = static_cast<size_t>(M) * kv.kvHeads * kv.headDim;
    dispatch(kv.type, [&](auto t) { writeKvKernel<decltype(t)::value><<<gridFor(total), 256, 0, stream_>>>(kv, k, v, M); });
    launched("writeKv");
  }

  void attention(const PagedKv& kv, const float* q, int M, int queryHeads, float scale, float* out) override {
    const unsigned blocks = static_cast<unsigned>((static_cast<int64_t>(M) * queryHeads + kWarps - 1) / kWarps);
    dispatch(kv.type, [&](auto t) {
      attentionKernel<decltype(t)::value><<<blocks, kWarps * kLanes, 0, stream_>>>(kv, q, M, queryHeads, scale, out);
    });
    launched("attention");
  }

  void siluMul(float* gate, const float* up, size_t n) override {
    siluMulKernel<<<gridFor(n), 256, 0, stream_>>>(gate, up, n);
    launched("siluMul");
  }

  void addInPlace(float* x, const float* y, size_t n) override {
    addKernel<<<gridFor(n), 256, 0, stream_>>>(x, y, n);
    launched("add");
  }

  void gatherRows(const float* x, int H, const int32_t* rows, int n, float* out) override {
    gatherRowsKernel<<<gridFor(static_cast<size_t>(n) * H), 256, 0, stream_>>>(x, H, rows, n, out);
    launched("gatherRows");
  }

 private:
  // Calls f with integral_constant<int, 0|1|2> for f32 / bf16 / f16, so each kernel is
  // compiled per dtype with its loads resolved at compile time.
  template <typename F>
  static void dispatch(ElemType t, F&& f) {
    switch (t) {
      case ElemType::F32: f(std::integral_constant<int, 0>{}); break;
      case ElemType::BF16: f(std::integral_constant<int, 1>{}); break;
      case ElemType::F16: f(std::integral_constant<int, 2>{}); break;
    }
  }
  void launched(const char* what) { DeviceRuntime::check(cudaGetLastError(), what); }

  int device_;
  cudaStream_t stream_ = nullptr;
};

}  // namespace

std::unique_ptr<KernelOps> makeCudaKernelOps(int device) { return std::make_unique<CudaKernelOps>(device); }

}  // namespace fleetlab
