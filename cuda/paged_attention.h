// Paged attention over a KvPool: K/V of one layer live in slabs shaped
// [num_blocks, block_size, kv_heads, head_dim]; a sequence's position p sits in block
// table[p / block_size], slot p % block_size. Each (token, query head) is computed alone, in
// position order, so its result does not depend on what else is in the batch.
#pragma once
#include <cstdint>
#include <vector>

#include "dot_kernels.h"
#include "half_convert.h"

namespace fleetlab {

struct KvGeometry {
  int blockSize;
  int kvHeads;
  int headDim;
  ElemType dtype;
};

// The part of a batch one sequence owns: tokens [tokenOffset, tokenOffset + numTokens) at
// positions startPos, startPos + 1, ...
struct SeqSlice {
  int tokenOffset;
  int numTokens;
  int startPos;
  const int32_t* blocks;
  int numBlocks;
};

class PagedAttention {
 public:
  PagedAttention(const KvGeometry& g, int queryHeads, const DotKernels& kernels);

  // Writes this sequence's new K and V rows ([tokens, kvHeads * headDim], f32) into the slabs.
  void write(uint8_t* kSlab, uint8_t* vSlab, const SeqSlice& s, const float* k, const float* v, int ld) const;
  // Attention of query head `qHead` of the token at `position` over positions [0, position].
  // `scratch` grows as needed; one per thread.
  void attend(const uint8_t* kSlab, const uint8_t* vSlab, const SeqSlice& s, int position, int qHead, const float* q,
              float* out, std::vector<float>& scratch) const;

 private:
  const uint8_t* row(const uint8_t* slab, const SeqSlice& s, int position, int kvHead) const;

  KvGeometry g_;
  int queryHeads_;
  DotKernels kernels_;
  float scale_;
};

}  // namespace fleetlab
