// AVX-512F variant of the canonical dot product (see dot_kernels.h). Compiled with
// -mavx512f -mfma -mf16c (CMakeLists.txt) and only called when CpuFeatures reports AVX-512F.
// Tiles of 4 weight rows x 6 tokens: 24 accumulators + 4 weight vectors + 1 activation.
#include <cmath>
#include <immintrin.h>

#include "dot_kernels.h"
#include "dot_tiles.h"

namespace fleetlab {
namespace {

template <ElemType T>
inline __m512 load16(const uint8_t* row, int k) {
  if constexpr (T == ElemType::F32) {
    return _mm512_loadu_ps(reinterpret_cast<const float*>(row) + k);
  } else {
    __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(reinterpret_cast<const uint16_t*>(row) + k));
    if constexpr (T == ElemType::BF16) return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
    else return _mm512_cvtph_ps(h);
  }
}

// Step 2 of the canonical order over the 16 lanes of a.
inline float reduce(__m512 a) {
  __m256 t = _mm256_add_ps(_mm512_castps512_ps256(a), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(a), 1)));
  __m128 u = _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));
  __m128 v = _mm_add_ps(u, _mm_movehl_ps(u, u));
  __m128 r = _mm_add_ss(v, _mm_shuffle_ps(v, v, 1));
  return _mm_cvtss_f32(r);
}

template <ElemType T, int RB, int TB>
struct Tile {
  static void run(const uint8_t* W, size_t rowBytes, int K, const float* X, int ldx, float* Y, int ldy) {
    __m512 acc[RB][TB];
#pragma GCC unroll 8
    for (int r = 0; r < RB; ++r)
#pragma GCC unroll 8
      for (int t = 0; t < TB; ++t) acc[r][t] = _mm512_setzero_ps();
    const int k16 = K & ~15;
    for (int k = 0; k < k16; k += 16) {
      __m512 w[RB];
#pragma GCC unroll 8
      for (int r = 0; r < RB; ++r) w[r] = load16<T>(W + rowBytes * r, k);
#pragma GCC unroll 8
      for (int t = 0; t < TB; ++t) {
        const __m512 x = _mm512_loadu_ps(X + static_cast<size_t>(t) * ldx + k);
#pragma GCC unroll 8
        for (int r = 0; r < RB; ++r) acc[r][t] = _mm512_fmadd_ps(w[r], x, acc[r][t]);
      }
    }
#pragma GCC unroll 8
    for (int r = 0; r < RB; ++r) {
      const uint8_t* wr = W + rowBytes * r;
#pragma GCC unroll 8
      for (int t = 0; t < TB; ++t) {
        float s = reduce(acc[r][t]);
        const float* x = X + static_cast<size_t>(t) * ldx;
        for (int k = k16; k < K; ++k) s = __builtin_fmaf(loadElem(wr, T, static_cast<size_t>(k)), x[k], s);
        Y[static_cast<size_t>(t) * ldy + r] = s;
      }
    }
  }
};

void matmulRows(const void* W, ElemType wt, int K, int rowBegin, int rowEnd, const float* X, int ldx, int M, float* Y,
                int ldy) {
  switch (wt) {
    case ElemType::F32: return tiledRows<Tile, ElemType::F32, 4, 6>(W, K, rowBegin, rowEnd, X, ldx, M, Y, ldy);
    case ElemType::BF16: return tiledRows<Tile, ElemType::BF16, 4, 6>(W, K, rowBegin, rowEnd, X, ldx, M, Y, ldy);
    case ElemType::F16: return tiledRows<Tile, ElemType::F16, 4, 6>(W, K, rowBegin, rowEnd, X, ldx, M, Y, ldy);
  }
}

float dot(const float* a, const float* b, int n) {
  float r;
  Tile<ElemType::F32, 1, 1>::run(reinterpret_cast<const uint8_t*>(a), 0, n, b, 0, &r, 0);
  return r;
}

}  // namespace

DotKernels avx512Kernels() { return DotKernels{"avx512", matmulRows, dot}; }

}  // namespace fleetlab
