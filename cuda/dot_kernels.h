// Dot-product kernels of the CPU model runner, one implementation per instruction set, chosen
// at run time. Every variant computes each dot product in the same canonical order, so the
// result of one output element never depends on the batch size, the thread count, or which
// variant runs:
//   1. 16 lane sums p[l] = fma-accumulated w[k]*x[k] over k = l, l+16, l+32, ... (k < K16,
//      K16 = K rounded down to a multiple of 16), in increasing k;
//   2. t[i] = p[i] + p[i+8] (8), u[i] = t[i] + t[i+4] (4), v[i] = u[i] + u[i+2] (2),
//      r = v[0] + v[1];
//   3. r = fma(w[k], x[k], r) for the tail k = K16 .. K-1 in order.
// Kernels block several weight rows x several tokens in registers (one accumulator chain per
// pair), so each weight load serves every token of the block and each activation load every
// row; blocking changes which pairs share a pass, never a pair's own arithmetic.
#pragma once
#include <cstddef>
#include <cstdint>

#include "half_convert.h"

namespace fleetlab {

enum class SimdLevel : int { Scalar = 0, Avx2 = 1, Avx512 = 2 };

struct DotKernels {
  const char* name;
  // Y[m * ldy + n] = dot(W row n, X row m) for n in [rowBegin, rowEnd) and m in [0, M).
  // W is [N, K] row-major in `wt`; X is f32 [M, ldx]. Tokens are register-blocked so one read
  // of a weight row serves several tokens.
  void (*matmulRows)(const void* W, ElemType wt, int K, int rowBegin, int rowEnd, const float* X, int ldx,
                     int M, float* Y, int ldy);
  // dot(a, b) over n f32 elements, canonical order.
  float (*dot)(const float* a, const float* b, int n);
};

DotKernels scalarKernels();
DotKernels avx2Kernels();
DotKernels avx512Kernels();

// Reduces 16 lane sums in the canonical tree (step 2 above).
static inline float reduceLanes16(const float* p) {
  float t[8], u[4], v[2];
  for (int i = 0; i < 8; ++i) t[i] = p[i] + p[i + 8];
  for (int i = 0; i < 4; ++i) u[i] = t[i] + t[i + 4];
  for (int i = 0; i < 2; ++i) v[i] = u[i] + u[i + 2];
  return v[0] + v[1];
}

}  // namespace fleetlab
