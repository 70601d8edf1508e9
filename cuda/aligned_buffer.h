// AlignedBuffer: owned host memory aligned for O_DIRECT, page-locked when a GPU can use it
// (pinned memory is what lets cudaMemcpyAsync run truly asynchronously).
#pragma once
#include <cstddef>
#include <cstdint>

namespace fleetlab {

class AlignedBuffer {
 public:
  AlignedBuffer(size_t bytes, size_t alignment, bool pin);
  ~AlignedBuffer();
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;

  uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool pinned() const { return pinned_; }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  bool pinned_ = false;
};

}  // namespace fleetlab
