// AVX2 + FMA + F16C variant of the canonical dot product (see dot_kernels.h). Compiled with
// -mavx2 -mfma -mf16c (CMakeLists.txt) and only called when CpuFeatures reports them.
// Tiles of 2 weight rows x 3 tokens; each pair keeps lanes 0-7 and 8-15 in two registers.
#include <cmath>
#include <immintrin.h>

#include "dot_kernels.h"
#include "dot_tiles.h"

namespace fleetlab {
namespace {

template <ElemType T>
inline __m256 load8(const uint8_t* row, int k) {
  if constexpr (T == ElemType::F32) {
    return _mm256_loadu_ps(reinterpret_cast<const float*>(row) + k);
  } else {
    __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(reinterpret_cast<const uint16_t*>(row) + k));
    if constexpr (T == ElemType::BF16) return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
    else return _mm256_cvtph_ps(h);
  }
}

// Step 2 of the canonical order with lanes 0-7 in lo and 8-15 in hi.
inline float reduce(__m256 lo, __m256 hi) {
  __m256 t = _mm256_add_ps(lo, hi);
  __m128 u = _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));
  __m128 v = _mm_add_ps(u, _mm_movehl_ps(u, u));
  __m128 r = _mm_add_ss(v, _mm_shuffle_ps(v, v, 1));
  return _mm_cvtss_f32(r);
}

template <ElemType T, int RB, int TB>
struct Tile {
  static void run(const uint8_t* W, size_t rowBytes, int K, const float* X, int ldx, float* Y, int ldy) {
    __m256 acc[RB][TB][2];
#pragma GCC unroll 4
    for (int r = 0; r < RB; ++r)
#pragma GCC unroll 4
      for (int t = 0; t < TB; ++t) acc[r][t][0] = acc[r][t][1] = _mm256_setzero_ps();
    const int k16 = K & ~15;
    for (int k = 0; k < k16; k += 16) {
#pragma GCC unroll 2
      for (int h = 0; h < 2; ++h) {
        __m256 w[RB];
#pragma GCC unroll 4
        for (int r = 0; r < RB; ++r) w[r] = load8<T>(W + rowBytes * r, k + 8 * h);
#pragma GCC unroll 4
        for (int t = 0; t < TB; ++t) {
          const __m256 x = _mm256_loadu_ps(X + static_cast<size_t>(t) * ldx + k + 8 * h);
#pragma GCC unroll 4
          for (int r = 0; r < RB; ++r) acc[r][t][h] = _mm256_fmadd_ps(w[r], x, acc[r][t][h]);
        }
      }
    }
#pragma GCC unroll 4
    for (int r = 0; r < RB; ++r) {
      const uint8_t* wr = W + rowBytes * r;
#pragma GCC unroll 4
      for (int t = 0; t < TB; ++t) {
        float s = reduce(acc[r][t][0], acc[r][t][1]);
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
    case ElemType::F32: return tiledRows<Tile, ElemType::F32, 2, 3>(W, K, rowBegin, rowEnd, X, ldx, M, Y, ldy);
    case ElemType::BF16: return tiledRows<Tile, ElemType::BF16, 2, 3>(W, K, rowBegin, rowEnd, X, ldx, M, Y, ldy);
    case ElemType::F16: return tiledRows<Tile, ElemType::F16, 2, 3>(W, K, rowBegin, rowEnd, X, ldx, M, Y, ldy);
  }
}

float dot(const float* a, const float* b, int n) {
  float r;
  Tile<ElemType::F32, 1, 1>::run(reinterpret_cast<const uint8_t*>(a), 0, n, b, 0, &r, 0);
  return r;
}

}  // namespace

DotKernels avx2Kernels() { return DotKernels{"avx2", matmulRows, dot}; }

}  // namespace fleetlab
