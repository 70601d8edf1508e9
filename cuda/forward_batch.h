// ForwardBatch: one step of the model runners (CPU and CUDA): the new tokens of every
// sequence, where they start, their block tables, and which sequences want logits. The
// validation here is the native layer's memory-safety net, shared by both runners.
#pragma once
#include <cstdint>
#include <vector>

#include "paged_attention.h"

namespace fleetlab {

struct ForwardSeq {
  SeqSlice slice;
  bool wantLogits;
};

struct ForwardBatch {
  const int32_t* tokens;
  int numTokens;
  std::vector<ForwardSeq> seqs;
  float* logits;  // [number of seqs with wantLogits, vocab]
};

// Throws std::runtime_error naming the sequence and field when a token id is outside the
// vocabulary, token ranges are not consecutive, or a block table is short or out of the pool.
void validateBatch(const ForwardBatch& b, int vocab, int blockSize, int numBlocks);

// What every runner implements: the JS wrapper holds one of these.
class Runner {
 public:
  virtual ~Runner() = default;
  virtual void validate(const ForwardBatch& b) const = 0;
  virtual void forward(const ForwardBatch& b) = 0;
  // Which kernels run: "scalar" | "avx2" | "avx512" (CPU), "cuda", "cuda-emulation".
  virtual const char* kernelName() const = 0;
  virtual int threads() const = 0;
};

}  // namespace fleetlab
