// HostKernelOps: the CPU mirror of the CUDA kernels. Each function walks the work the way the
// kernel's lanes do (32 lane partial sums, the same chunking, the same tree), using only the
// shared arithmetic of gpu_math.h, so its results are the kernels' bits. It is slow (no SIMD,
// no threads) and exists to test the CUDA runner's logic and numbers on machines without a GPU.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

#include "gpu_math.h"
#include "kernel_ops.h"

namespace fleetlab {

namespace {

using gpu::kLanes;

class HostKernelOps : public KernelOps {
 public:
  const char* name() const override { return "cuda-emulation"; }
  void bind() override {}
  void* alloc(size_t bytes) override {
    void* p = std::aligned_alloc(256, (std::max<size_t>(bytes, 1) + 255) & ~static_cast<size_t>(255));
    if (!p) throw std::bad_alloc();
    return p;
  }
  void release(void* p) override { std::free(p); }
  void upload(void* dst, const void* src, size_t bytes) override { std::memcpy(dst, src, bytes); }
  void download(void* dst, const void* src, size_t bytes) override { std::memcpy(dst, src, bytes); }
  void finish() override {}

  void embed(const WeightRef& table, int hidden, const int32_t* tokens, int M, float* out) override {
    for (int m = 0; m < M; ++m) {
      const size_t row = static_cast<size_t>(tokens[m]) * hidden;
      for (int i = 0; i < hidden; ++i) out[static_cast<size_t>(m) * hidden + i] = loadElem(table.data, table.type, row + i);
    }
  }

  void rmsNorm(const float* x, const WeightRef& w, int M, int H, float eps, float* out) override {
    for (int m = 0; m < M; ++m) {
      const float* xr = x + static_cast<size_t>(m) * H;
      float p[kLanes] = {};
      for (int i = 0; i < H; ++i) p[i % kLanes] = gpu::fmaCanon(xr[i], xr[i], p[i % kLanes]);
      const float inv = gpu::rmsScale(gpu::treeSum32(p), H, eps);
      for (int i = 0; i < H; ++i) out[static_cast<size_t>(m) * H + i] = (xr[i] * inv) * loadElem(w.data, w.type, static_cast<size_t>(i));
    }
  }

  void matmul(const WeightRef& w, int N, int K, const float* X, int M, float* Y) override {
    for (int n = 0; n < N; ++n) {
      const size_t wRow = static_cast<size_t>(n) * K;
      for (int m = 0; m < M; ++m) {
        const float* xr = X + static_cast<size_t>(m) * K;
        float p[kLanes] = {};
        for (int k = 0; k < K; ++k) {
          const int lane = gpu::matmulLane(k);
          p[lane] = gpu::fmaCanon(loadElem(w.data, w.type, wRow + k), xr[k], p[lane]);
        }
        Y[static_cast<size_t>(m) * N + n] = gpu::treeSum32(p);
      }
    }
  }

  void addBias(float* y, const WeightRef& b, int M, int N) override {
    for (int m = 0; m < M; ++m)
      for (int n = 0; n < N; ++n) y[static_cast<size_t>(m) * N + n] += loadElem(b.data, b.type, static_cast<size_t>(n));
  }

  void rope(float* x, int M, int heads, int headDim, const float* cosSin) override {
    const int half = headDim / 2;
    const float* sinAll = cosSin + static_cast<size_t>(M) * half;
    for (int m = 0; m < M; ++m)
      for (int h = 0; h < heads; ++h) {
        float* v = x + (static_cast<size_t>(m) * heads + h) * headDim;
        for (int i = 0; i < half; ++i) {
          gpu::ropePair(v[i], v[i + half], cosSin[static_cast<size_t>(m) * half + i], sinAll[static_cast<size_t>(m) * half + i]);
        }
      }
  }

  void writeKv(const PagedKv& kv, const float* k, const float* v, int M) override {
    const int D = kv.headDim, ld = kv.kvHeads * D;
    for (int m = 0; m < M; ++m) {
      const int64_t slot = gpu::kvSlot(kv.tables + kv.tableOffsets[m], kv.positions[m], kv.blockSize);
      for (int h = 0; h < kv.kvHeads; ++h) {
        const int64_t row = gpu::kvRow(slot, kv.kvHeads, h, D);
        for (int d = 0; d < D; ++d) {
          const size_t src = static_cast<size_t>(m) * ld + static_cast<size_t>(h) * D + d;
          storeElem(kv.kSlab, kv.type, static_cast<size_t>(row + d), k[src]);
          storeElem(kv.vSlab, kv.type, static_cast<size_t>(row + d), v[src]);
        }
      }
    }
  }

  // Online softmax in chunks of 32 positions, one per lane, as the kernel does.
  void attention(const PagedKv& kv, const float* q, int M, int queryHeads, float scale, float* out) override {
    const int D = kv.headDim;
    std::vector<float> acc(static_cast<size_t>(D));
    for (int m = 0; m < M; ++m) {
      const int n = kv.positions[m] + 1;
      const int32_t* table = kv.tables + kv.tableOffsets[m];
      for (int h = 0; h < queryHeads; ++h) {
        const int kvHead = gpu::kvHeadOf(h, queryHeads, kv.kvHeads);
        const float* qv = q + (static_cast<size_t>(m) * queryHeads + h) * D;
        float runMax = -INFINITY, runSum = 0.0f;
        std::fill(acc.begin(), acc.end(), 0.0f);
        for (int c0 = 0; c0 < n; c0 += kLanes) {
          float s[kLanes], p[kLanes];
          float chunkMax = -INFINITY;
          for (int lane = 0; lane < kLanes; ++lane) {
            const int j = c0 + lane;
            s[lane] = -INFINITY;
            if (j < n) {
              const int64_t row = gpu::kvRow(gpu::kvSlot(table, j, kv.blockSize), kv.kvHeads, kvHead, D);
              float dot = 0.0f;
              for (int d = 0; d < D; ++d) dot = gpu::fmaCanon(qv[d], loadElem(kv.kSlab, kv.type, static_cast<size_t>(row + d)), dot);
              s[lane] = dot * scale;
            }
            chunkMax = std::fmax(chunkMax, s[lane]);
          }
          const float newMax = std::fmax(runMax, chunkMax);
          for (int lane = 0; lane < kLanes; ++lane) p[lane] = c0 + lane < n ? gpu::expCanon(s[lane] - newMax) : 0.0f;
          const float alpha = gpu::expCanon(runMax - newMax);
          float t[kLanes];
          std::copy(p, p + kLanes, t);
          runSum = runSum * alpha + gpu::treeSum32(t);
          for (int d = 0; d < D; ++d) acc[static_cast<size_t>(d)] *= alpha;
          for (int jj = 0; jj < kLanes && c0 + jj < n; ++jj) {
            const int64_t row = gpu::kvRow(gpu::kvSlot(table, c0 + jj, kv.blockSize), kv.kvHeads, kvHead, D);
            for (int d = 0; d < D; ++d) {
              acc[static_cast<size_t>(d)] = gpu::fmaCanon(p[jj], loadElem(kv.vSlab, kv.type, static_cast<size_t>(row + d)), acc[static_cast<size_t>(d)]);
            }
          }
          runMax = newMax;
        }
        float* o = out + (static_cast<size_t>(m) * queryHeads + h) * D;
        for (int d = 0; d < D; ++d) o[d] = acc[static_cast<size_t>(d)] / runSum;
      }
    }
  }

  void siluMul(float* gate, const float* up, size_t n) override {
    for (size_t i = 0; i < n; ++i) gate[i] = gpu::siluMul(gate[i], up[i]);
  }

  void addInPlace(float* x, const float* y, size_t n) override {
    for (size_t i = 0; i < n; ++i) x[i] += y[i];
  }

  void gatherRows(const float* x, int H, const int32_t* rows, int n, float* out) override {
    for (int r = 0; r < n; ++r) std::memcpy(out + static_cast<size_t>(r) * H, x + static_cast<size_t>(rows[r]) * H, sizeof(float) * H);
  }
};

}  // namespace

std::unique_ptr<KernelOps> makeHostKernelOps() { return std::make_unique<HostKernelOps>(); }

}  // namespace fleetlab
