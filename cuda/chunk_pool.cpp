#include "chunk_pool.h"

namespace fleetlab {

ChunkPool::ChunkPool(size_t count, size_t chunkBytes, bool pin) : chunkBytes_(chunkBytes) {
  for (size_t i = 0; i < count; ++i) {
    chunks_.push_back(std::make_unique<AlignedBuffer>(chunkBytes, 4096, pin));
    free_.push_back(static_cast<int>(i));
  }
}

int ChunkPool::acquire(const std::atomic<bool>& stop) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !free_.empty() || stop.load(); });
  if (stop.load()) return -1;
  int idx = free_.back();
  free_.pop_back();
  return idx;
}

void ChunkPool::release(int index) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(index);
  }
  cv_.notify_one();
}

void ChunkPool::interrupt() {
  std::lock_guard<std::mutex> lock(mu_);
  cv_.notify_all();
}

bool ChunkPool::pinned() const {
  for (auto& c : chunks_)
    if (!c->pinned()) return false;
  return !chunks_.empty();
}

}  // namespace fleetlab
