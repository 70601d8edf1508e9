// AVX2 + FMA + F16C variant of the canonical dot product (see dot_kernels.h). Compiled with
// -mavx2 -mfma -mf16c (CMakeLists.txt) and only called when CpuFeatures reports them.
#include <cmath>
#include <immintrin.h>

#include "dot_kernels.h"

namespace fleetlab {
namespace {

template <ElemType T>
inline __m256 load8(const void* base, int k) {
  if constexpr (T == ElemType::F32) {
    return _mm256_loadu_ps(static_cast<const float*>(base) + k);
  } else {
    __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(static_cast<const uint16_t*>(base) + k));
    if constexpr (T == ElemType::BF16) return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
    else return _mm256_cvtph_ps(h);
  }
}

// Step 2 of the canonical order with lanes 0-7, 8-15, 16-23, 24-31 in a0..a3.
inline float reduce(__m256 a0, __m256 a1, __m256 a2, __m256 a3) {
  __m256 sLo = _mm256_add_ps(a0, a2);
  __m256 sHi = _mm256_add_ps(a1, a3);
  __m256 t = _mm256_add_ps(sLo, sHi);
  __m128 u = _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));
  __m128 v = _mm_add_ps(u, _mm_movehl_ps(u, u));
  __m128 r = _mm_add_ss(v, _mm_shuffle_ps(v, v, 1));
  return _mm_cvtss_f32(r);
}

template <ElemType T, int MB>
inline void rowBlock(const void* w, int K, const float* X, int ldx, float* Y, int ldy) {
  __m256 acc[MB][4];
  for (int t = 0; t < MB; ++t)
    for (int j = 0; j < 4; ++j) acc[t][j] = _mm256_setzero_ps();
  const int k32 = K & ~31;
  for (int k = 0; k < k32; k += 32) {
    for (int j = 0; j < 4; ++j) {
      const __m256 wv = load8<T>(w, k + 8 * j);
      for (int t = 0; t < MB; ++t)
        acc[t][j] = _mm256_fmadd_ps(wv, _mm256_loadu_ps(X + static_cast<size_t>(t) * ldx + k + 8 * j), acc[t][j]);
    }
  }
  for (int t = 0; t < MB; ++t) {
    float r = reduce(acc[t][0], acc[t][1], acc[t][2], acc[t][3]);
    const float* x = X + static_cast<size_t>(t) * ldx;
    for (int k = k32; k < K; ++k) r = __builtin_fmaf(loadElem(w, T, static_cast<size_t>(k)), x[k], r);
    Y[static_cast<size_t>(t) * ldy] = r;
  }
}

constexpr int kMaxBlock = 3;

template <ElemType T>
void rowsT(const void* W, int K, int rowBegin, int rowEnd, const float* X, int ldx, int M, float* Y, int ldy) {
  const size_t rowBytes = static_cast<size_t>(K) * static_cast<size_t>(elemBytes(T));
  for (int n = rowBegin; n < rowEnd; ++n) {
    const void* w = static_cast<const uint8_t*>(W) + rowBytes * static_cast<size_t>(n);
    for (int m0 = 0; m0 < M; m0 += kMaxBlock) {
      const float* x = X + static_cast<size_t>(m0) * ldx;
      float* y = Y + static_cast<size_t>(m0) * ldy + n;
      switch (M - m0 < kMaxBlock ? M - m0 : kMaxBlock) {
        case 1: rowBlock<T, 1>(w, K, x, ldx, y, ldy); break;
        case 2: rowBlock<T, 2>(w, K, x, ldx, y, ldy); break;
        default: rowBlock<T, 3>(w, K, x, ldx, y, ldy); break;
      }
    }
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

float dot(const float* a, const float* b, int n) {
  float r;
  rowBlock<ElemType::F32, 1>(a, n, b, 0, &r, 0);
  return r;
}

}  // namespace

DotKernels avx2Kernels() { return DotKernels{"avx2", matmulRows, dot}; }

}  // namespace fleetlab
