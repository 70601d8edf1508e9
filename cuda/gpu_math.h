// The arithmetic of the CUDA model runner, defined once for the GPU kernels
// (cuda_kernel_ops.cu) and their exact CPU mirror (host_kernel_ops.cpp). Everything here uses
// only IEEE-exact operations (+, *, /, sqrt, fmaf, floor, bit casts), so the kernels and the
// mirror produce the same bits as long as neither side contracts a * b + c on its own: the
// .cu files are built with -fmad=false, the mirror with -ffp-contract=off.
//
// Canonical orders (these are what make the CUDA path batch-invariant):
// - matmul element Y[m, n] = sum_k W[n, k] * X[m, k]: 32 lane partial sums; lane l takes the
//   chunks of kChunk consecutive k with (k / kChunk) % 32 == l, accumulating with fmaf in
//   increasing k from 0.0f; then treeSum32. Nothing in it depends on M or on which token tile
//   the row falls in.
// - row reductions (RMSNorm's sum of squares, attention's softmax sum): lane l takes the
//   elements i with i % 32 == l in increasing i, then treeSum32.
// - attention: online softmax over positions in chunks of 32 from position 0 (chunk c holds
//   positions 32c .. 32c + 31, one per lane), so the chunking of a prefill never changes it.
#pragma once
#include <cmath>
#include <cstdint>

#include "half_convert.h"
#include "host_device.h"

namespace fleetlab {
namespace gpu {

constexpr int kLanes = 32;
constexpr int kChunk = 8;
// Largest head_dim the attention kernel holds in registers (kMaxHeadDim / 32 values per lane).
constexpr int kMaxHeadDim = 256;

FL_HD float fmaCanon(float a, float b, float c) { return fmaf(a, b, c); }

// Lane that owns element k of a matmul reduction.
FL_HD int matmulLane(int k) { return (k / kChunk) % kLanes; }

// Butterfly sum of 32 lane values: step s adds lane l ^ s for s = 16, 8, 4, 2, 1. After each
// step both partners hold the same value (a + b == b + a), so on the GPU every lane ends with
// the bits this function returns for lane 0.
FL_HD float treeSum32(float* p) {
  for (int s = kLanes / 2; s >= 1; s /= 2) {
    float t[kLanes];
    for (int l = 0; l < kLanes; ++l) t[l] = p[l] + p[l ^ s];
    for (int l = 0; l < kLanes; ++l) p[l] = t[l];
  }
  return p[0];
}

// exp(x) from +, *, fmaf, floor and bit casts only: the same bits on the CPU and the GPU
// (unlike expf, whose last bit differs between libm and CUDA). Range reduction
// x = n ln2 + r with |r| <= ln2 / 2 (ln2 split in two so n * ln2_hi is exact), a degree-7
// Taylor polynomial in Horner form (truncation < 1e-8 relative), then a 2^n scale applied in
// two halves so subnormal results need no special case. Measured: < 0.9 ulp from exp in
// double over [-87, 88.7] (190k points), exp(0) = 1, exp(-inf) = 0.
FL_HD float expCanon(float x) {
  if (x != x) return x;                    // nan
  if (x < -104.0f) return 0.0f;            // below the smallest subnormal (also -inf)
  if (x > 88.8f) return bitsToF32(0x7f800000u);  // overflow: +inf
  const float n = floorf(x * 1.44269504088896341f + 0.5f);
  float r = fmaCanon(-n, 0.693145751953125f, x);  // ln2_hi: 12 significant bits
  r = fmaCanon(-n, 1.42860682030941723e-06f, r);  // ln2_lo
  float p = 1.0f / 5040.0f;
  p = fmaCanon(p, r, 1.0f / 720.0f);
  p = fmaCanon(p, r, 1.0f / 120.0f);
  p = fmaCanon(p, r, 1.0f / 24.0f);
  p = fmaCanon(p, r, 1.0f / 6.0f);
  p = fmaCanon(p, r, 0.5f);
  p = fmaCanon(p, r, 1.0f);
  p = fmaCanon(p, r, 1.0f);
  const int ni = static_cast<int>(n);
  const int n1 = ni / 2, n2 = ni - n1;  // each in [-76, 65]: a normal power of two
  const float s1 = bitsToF32(static_cast<uint32_t>(n1 + 127) << 23);
  const float s2 = bitsToF32(static_cast<uint32_t>(n2 + 127) << 23);
  return (p * s1) * s2;
}

// silu(g) * u, HF's act_fn(gate) * up.
FL_HD float siluMul(float g, float u) { return (g / (1.0f + expCanon(-g))) * u; }

// 1 / sqrt(mean of squares + eps), from a row's sum of squares.
FL_HD float rmsScale(float sumSq, int n, float eps) {
  return 1.0f / sqrtf(sumSq / static_cast<float>(n) + eps);
}

// One rotate-half RoPE pair (i, i + head_dim / 2), as the CPU runner's Rope::apply.
FL_HD void ropePair(float& a, float& b, float c, float s) {
  const float na = a * c - b * s;
  const float nb = b * c + a * s;
  a = na;
  b = nb;
}

// Paged KV addressing, shared with the CPU runner's PagedAttention. A layer's K (or V) slab
// is [num_blocks, block_size, kv_heads, head_dim]; position p of a sequence sits in block
// table[p / block_size], slot p % block_size.
FL_HD int64_t kvSlot(const int32_t* table, int position, int blockSize) {
  return static_cast<int64_t>(table[position / blockSize]) * blockSize + position % blockSize;
}

// Index of element 0 of (slot, kvHead)'s head_dim-long row, in elements.
FL_HD int64_t kvRow(int64_t slot, int kvHeads, int kvHead, int headDim) {
  return (slot * kvHeads + kvHead) * headDim;
}

// Grouped-query attention: query head h reads KV head h / (query_heads / kv_heads).
FL_HD int kvHeadOf(int queryHead, int queryHeads, int kvHeads) { return queryHead / (queryHeads / kvHeads); }

}  // namespace gpu
}  // namespace fleetlab
