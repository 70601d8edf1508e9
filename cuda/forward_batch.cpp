#include "forward_batch.h"

#include <stdexcept>
#include <string>

namespace fleetlab {

void validateBatch(const ForwardBatch& b, int vocab, int blockSize, int numBlocks) {
  for (int i = 0; i < b.numTokens; ++i) {
    if (b.tokens[i] < 0 || b.tokens[i] >= vocab) {
      throw std::runtime_error("token id " + std::to_string(b.tokens[i]) + " at index " + std::to_string(i) +
                               " is outside [0, " + std::to_string(vocab) + ")");
    }
  }
  int expectOffset = 0;
  for (size_t s = 0; s < b.seqs.size(); ++s) {
    const SeqSlice& q = b.seqs[s].slice;
    const std::string who = "sequence " + std::to_string(s);
    if (q.tokenOffset != expectOffset || q.numTokens < 1) throw std::runtime_error(who + ": token ranges must be consecutive and non-empty");
    expectOffset += q.numTokens;
    if (q.startPos < 0) throw std::runtime_error(who + ": negative start position");
    const int64_t end = static_cast<int64_t>(q.startPos) + q.numTokens;
    if (end > static_cast<int64_t>(q.numBlocks) * blockSize) {
      throw std::runtime_error(who + ": block table has " + std::to_string(q.numBlocks) + " blocks (" +
                               std::to_string(static_cast<int64_t>(q.numBlocks) * blockSize) + " slots), needs " +
                               std::to_string(end));
    }
    for (int i = 0; i < q.numBlocks; ++i) {
      if (q.blocks[i] < 0 || q.blocks[i] >= numBlocks) {
        throw std::runtime_error(who + ": block id " + std::to_string(q.blocks[i]) + " outside [0, " +
                                 std::to_string(numBlocks) + ")");
      }
    }
  }
  if (expectOffset != b.numTokens) throw std::runtime_error("sequences cover " + std::to_string(expectOffset) + " tokens, batch has " + std::to_string(b.numTokens));
}

}  // namespace fleetlab
