// StepPlan: a ForwardBatch flattened into the per-token arrays the CUDA kernels read, packed
// into one int32 buffer and one f32 buffer so a step needs two uploads. Built on the host.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "forward_batch.h"
#include "rope.h"

namespace fleetlab {

struct StepPlan {
  int numTokens = 0;
  int numRows = 0;  // sequences that want logits
  // Offsets, in elements of `ints`, of: token ids [M], positions [M], the start of each token's
  // block table in `tables` [M], the token index of each logits row [numRows], and every
  // sequence's block table concatenated (one copy per sequence, not per token).
  size_t tokens = 0, positions = 0, tableOffsets = 0, rows = 0, tables = 0;
  std::vector<int32_t> ints;
  // RoPE cos [M, half] then sin [M, half], from each token's position (Rope::angles, double).
  std::vector<float> cosSin;
};

StepPlan planStep(const ForwardBatch& b, const Rope& rope);

}  // namespace fleetlab
