#include "aligned_buffer.h"

#include <cstdlib>
#include <new>
#include <stdexcept>
#include <string>

#include "device_runtime.h"

namespace fleetlab {

AlignedBuffer::AlignedBuffer(size_t bytes, size_t alignment, bool pin) : size_(bytes) {
  void* p = nullptr;
  // Round the allocation up so O_DIRECT reads of a whole aligned block never overrun.
  size_t rounded = (bytes + alignment - 1) / alignment * alignment;
  if (rounded == 0) rounded = alignment;
  if (posix_memalign(&p, alignment, rounded) != 0 || p == nullptr) {
    throw std::runtime_error("out of host memory allocating " + std::to_string(bytes) +
                             " bytes; lower chunkBytes/threads or the DRAM cache capacity");
  }
  data_ = static_cast<uint8_t*>(p);
  if (pin) pinned_ = DeviceRuntime::hostRegister(data_, rounded);
}

AlignedBuffer::~AlignedBuffer() {
  if (pinned_) DeviceRuntime::hostUnregister(data_);
  std::free(data_);
}

}  // namespace fleetlab
