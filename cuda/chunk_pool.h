// ChunkPool: a fixed set of equal, aligned (pinned when possible) staging chunks. Readers
// block in acquire() when every chunk is in flight, which bounds memory and gives the
// disk stage natural backpressure from the copy stage.
#pragma once
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "aligned_buffer.h"

namespace fleetlab {

class ChunkPool {
 public:
  ChunkPool(size_t count, size_t chunkBytes, bool pin);
  // Returns a chunk index, or -1 when `stop` became true while waiting.
  int acquire(const std::atomic<bool>& stop);
  void release(int index);
  // Wakes waiters so they can observe `stop`.
  void interrupt();
  uint8_t* data(int index) const { return chunks_[static_cast<size_t>(index)]->data(); }
  size_t chunkBytes() const { return chunkBytes_; }
  bool pinned() const;

 private:
  size_t chunkBytes_;
  std::vector<std::unique_ptr<AlignedBuffer>> chunks_;
  std::vector<int> free_;
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace fleetlab
