// AVX-512F variant of the canonical dot product (see dot_kernels.h). Compiled with
// -mavx512f -mfma -mf16c (CMakeLists.txt) and only called when CpuFeatures reports AVX-512F.
#include <cmath>
#include <immintrin.h>

#include "dot_kernels.h"

namespace fleetlab {
namespace {

template <ElemType T>
inline __m512 load16(const void* base, int k) {
  if constexpr (T == ElemType::F32) {
    return _mm512_loadu_ps(static_cast<const float*>(base) + k);
  } else {
    __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(static_cast<const uint16_t*>(base) + k));
    if constexpr (T == ElemType::BF16) return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
    else return _mm512_cvtph_ps(h);
  }
}

// Step 2 of the canonical order: lanes 0..15 in a, 16..31 in b.
inline float reduce(__m512 a, __m512 b) {
  __m512 s = _mm512_add_ps(a, b);
  __m256 t = _mm256_add_ps(_mm512_castps512_ps256(s), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(s), 1)));
  __m128 u = _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));
  __m128 v = _mm_add_ps(u, _mm_movehl_ps(u, u));
  __m128 r = _mm_add_ss(v, _mm_shuffle_ps(v, v, 1));
  return _mm_cvtss_f32(r);
}

// MB tokens against one weight row: each token keeps its own two accumulators, so its
// arithmetic is the same whatever MB is.
template <ElemType T, int MB>
inline void rowBlock(const void* w, int K, const float* X, int ldx, float* Y, int ldy) {
  __m512 acc[MB][2];
  for (int t = 0; t < MB; ++t) acc[t][0] = acc[t][1] = _mm512_setzero_ps();
  const int k32 = K & ~31;
  for (int k = 0; k < k32; k += 32) {
    const __m512 w0 = load16<T>(w, k);
    const __m512 w1 = load16<T>(w, k + 16);
    for (int t = 0; t < MB; ++t) {
      const float* x = X + static_cast<size_t>(t) * ldx + k;
      acc[t][0] = _mm512_fmadd_ps(w0, _mm512_loadu_ps(x), acc[t][0]);
      acc[t][1] = _mm512_fmadd_ps(w1, _mm512_loadu_ps(x + 16), acc[t][1]);
    }
  }
  for (int t = 0; t < MB; ++t) {
    float r = reduce(acc[t][0], acc[t][1]);
    const float* x = X + static_cast<size_t>(t) * ldx;
    for (int k = k32; k < K; ++k) r = __builtin_fmaf(loadElem(w, T, static_cast<size_t>(k)), x[k], r);
    Y[static_cast<size_t>(t) * ldy] = r;
  }
}

constexpr int kMaxBlock = 8;

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
        case 3: rowBlock<T, 3>(w, K, x, ldx, y, ldy); break;
        case 4: rowBlock<T, 4>(w, K, x, ldx, y, ldy); break;
        case 5: rowBlock<T, 5>(w, K, x, ldx, y, ldy); break;
        case 6: rowBlock<T, 6>(w, K, x, ldx, y, ldy); break;
        case 7: rowBlock<T, 7>(w, K, x, ldx, y, ldy); break;
        default: rowBlock<T, 8>(w, K, x, ldx, y, ldy); break;
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

DotKernels avx512Kernels() { return DotKernels{"avx512", matmulRows, dot}; }

}  // namespace fleetlab
