// Portable variant of the canonical dot product (see dot_kernels.h); std::fma keeps it
// bit-identical to the SIMD variants even on machines without FMA hardware.
#include <cmath>

#include "dot_kernels.h"

namespace fleetlab {
namespace {

template <ElemType T>
float dotRow(const void* w, const float* x, int K) {
  float p[16] = {0};
  const int k16 = K & ~15;
  for (int k = 0; k < k16; k += 16)
    for (int l = 0; l < 16; ++l) p[l] = std::fma(loadElem(w, T, static_cast<size_t>(k + l)), x[k + l], p[l]);
  float r = reduceLanes16(p);
  for (int k = k16; k < K; ++k) r = std::fma(loadElem(w, T, static_cast<size_t>(k)), x[k], r);
  return r;
}

template <ElemType T>
void rowsT(const void* W, int K, int rowBegin, int rowEnd, const float* X, int ldx, int M, float* Y, int ldy) {
  const size_t rowBytes = static_cast<size_t>(K) * static_cast<size_t>(elemBytes(T));
  for (int n = rowBegin; n < rowEnd; ++n) {
    const void* w = static_cast<const uint8_t*>(W) + rowBytes * static_cast<size_t>(n);
    for (int m = 0; m < M; ++m) Y[static_cast<size_t>(m) * ldy + n] = dotRow<T>(w, X + static_cast<size_t>(m) * ldx, K);
  }
}

void matmulRows(const void* W, ElemType wt, int K, int rowBegin, int rowEnd, const float* X, int ldx, int M, float* Y,
                int ldy) {
  switch (wt) {
    case ElemType::F32: return rowsT<ElemType::F32>(W, K, rowBegin, rowEnd, X, ldx, M, Y, ldy);
    case ElemType::BF16: return rowsT<ElemType::BF16>(W, K, rowBegin, rowEnd, X, ldx, M, Y, ldy);
    case ElemType::F16: return rowsT<ElemType::F16>(W, K, rowBegin, rowEnd, X, ldx, M, Y, ldy);
  }
}

float dot(const float* a, const float* b, int n) { return dotRow<ElemType::F32>(a, b, n); }

}  // namespace

DotKernels scalarKernels() { return DotKernels{"scalar", matmulRows, dot}; }

}  // namespace fleetlab
