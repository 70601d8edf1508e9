#include "paged_attention.h"

#include <cmath>

#include "gpu_math.h"

namespace fleetlab {

PagedAttention::PagedAttention(const KvGeometry& g, int queryHeads, const DotKernels& kernels)
    : g_(g),
      queryHeads_(queryHeads),
      kernels_(kernels),
      scale_(static_cast<float>(1.0 / std::sqrt(static_cast<double>(g.headDim)))) {}

const uint8_t* PagedAttention::row(const uint8_t* slab, const SeqSlice& s, int position, int kvHead) const {
  // The same addressing as the CUDA kernels (gpu_math.h).
  const int64_t slot = gpu::kvSlot(s.blocks, position, g_.blockSize);
  return slab + static_cast<size_t>(gpu::kvRow(slot, g_.kvHeads, kvHead, g_.headDim)) * static_cast<size_t>(elemBytes(g_.dtype));
}

void PagedAttention::write(uint8_t* kSlab, uint8_t* vSlab, const SeqSlice& s, const float* k, const float* v,
                           int ld) const {
  for (int t = 0; t < s.numTokens; ++t) {
    const int pos = s.startPos + t;
    for (int h = 0; h < g_.kvHeads; ++h) {
      const float* ks = k + static_cast<size_t>(t) * ld + static_cast<size_t>(h) * g_.headDim;
      const float* vs = v + static_cast<size_t>(t) * ld + static_cast<size_t>(h) * g_.headDim;
      auto* kd = const_cast<uint8_t*>(row(kSlab, s, pos, h));
      auto* vd = const_cast<uint8_t*>(row(vSlab, s, pos, h));
      for (int d = 0; d < g_.headDim; ++d) {
        storeElem(kd, g_.dtype, static_cast<size_t>(d), ks[d]);
        storeElem(vd, g_.dtype, static_cast<size_t>(d), vs[d]);
      }
    }
  }
}

void PagedAttention::attend(const uint8_t* kSlab, const uint8_t* vSlab, const SeqSlice& s, int position, int qHead,
                            const float* q, float* out, std::vector<float>& scratch) const {
  const int n = position + 1;
  const int D = g_.headDim;
  const int kvHead = gpu::kvHeadOf(qHead, queryHeads_, g_.kvHeads);
  scratch.resize(static_cast<size_t>(n) + static_cast<size_t>(D));
  float* scores = scratch.data();
  float* tmp = scratch.data() + n;

  float maxScore = -INFINITY;
  for (int j = 0; j < n; ++j) {
    const uint8_t* kr = row(kSlab, s, j, kvHead);
    const float* kf = reinterpret_cast<const float*>(kr);
    if (g_.dtype != ElemType::F32) {
      for (int d = 0; d < D; ++d) tmp[d] = loadElem(kr, g_.dtype, static_cast<size_t>(d));
      kf = tmp;
    }
    const float sc = kernels_.dot(q, kf, D) * scale_;
    scores[j] = sc;
    if (sc > maxScore) maxScore = sc;
  }
  float sum = 0;
  for (int j = 0; j < n; ++j) {
    scores[j] = std::exp(scores[j] - maxScore);
    sum += scores[j];
  }
  for (int d = 0; d < D; ++d) out[d] = 0;
  for (int j = 0; j < n; ++j) {
    const uint8_t* vr = row(vSlab, s, j, kvHead);
    const float p = scores[j];
    if (g_.dtype == ElemType::F32) {
      const float* vf = reinterpret_cast<const float*>(vr);
      for (int d = 0; d < D; ++d) out[d] += p * vf[d];
    } else {
      for (int d = 0; d < D; ++d) out[d] += p * loadElem(vr, g_.dtype, static_cast<size_t>(d));
    }
  }
  const float inv = 1.0f / sum;
  for (int d = 0; d < D; ++d) out[d] *= inv;
}

}  // namespace fleetlab
